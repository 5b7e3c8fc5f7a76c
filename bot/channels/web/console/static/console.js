// The web console's few behaviours, kept out of the HTML (the CSP allows no inline script):
// bars drawn from their data-share (style attributes are refused by the CSP) and the print button.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  for (const bar of document.querySelectorAll(".bar[data-share] > span")) {
    bar.style.width = bar.parentElement.dataset.share + "%";
  }
  for (const button of document.querySelectorAll("[data-print]")) {
    button.addEventListener("click", () => window.print());
  }
});
