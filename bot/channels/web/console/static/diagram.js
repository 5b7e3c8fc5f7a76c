// A flow's diagram (the vendored Mermaid draws trolyso graph's text) and the simulator beside
// it: each turn goes to /admin/api/try (with the session's CSRF token) and the step the
// conversation is at is outlined on the diagram.
"use strict";
(() => {
  const csrf = document.body.dataset.csrf;
  const sim = document.getElementById("sim");
  const log = document.getElementById("sim-log");
  const at = document.getElementById("sim-at");
  const error = document.getElementById("sim-error");
  let conversation = "";
  let current = "";

  function highlight(node) {
    current = node;
    for (const el of document.querySelectorAll("#diagram g.node.current")) {
      el.classList.remove("current");
    }
    if (!node) return;
    // Mermaid names a node's group "flowchart-<id>-<n>" (maybe behind the SVG's own prefix).
    for (const el of document.querySelectorAll("#diagram g.node")) {
      const match = /flowchart-(.+)-\d+$/.exec(el.id);
      if (match && match[1] === node) {
        el.classList.add("current");
        el.scrollIntoView({ block: "nearest", inline: "nearest" });
      }
    }
  }

  function bubble(text, mine) {
    const div = document.createElement("div");
    div.className = mine ? "msg me" : "msg bot";
    div.textContent = text;
    log.appendChild(div);
    return div;
  }

  function show(answer) {
    conversation = answer.conversation;
    for (const note of answer.notes || []) {
      bubble(note, false).className = "msg note";
    }
    for (const message of answer.messages) {
      const div = bubble(message.text, false);
      const buttons = message.buttons.flat();
      if (buttons.length) {
        const row = document.createElement("div");
        row.className = "choices";
        for (const b of buttons) {
          if (b.url) {
            const a = document.createElement("a");
            a.href = b.url; a.textContent = b.label; a.rel = "noreferrer"; a.target = "_blank";
            row.appendChild(a);
          } else {
            const button = document.createElement("button");
            button.type = "button";
            button.textContent = b.label;
            button.addEventListener("click", () => turn("press", b.payload, b.label));
            row.appendChild(button);
          }
        }
        div.appendChild(row);
      }
    }
    at.textContent = answer.step ? at.dataset.template.replace("{}", answer.step) : "";
    sim.dataset.step = answer.step;
    highlight(answer.node);
    log.scrollTop = log.scrollHeight;
  }

  async function turn(action, value, shown) {
    if (action !== "start" && !conversation) return;
    if (shown) bubble(shown, true);
    error.hidden = true;
    sim.dataset.busy = "1";
    try {
      const response = await fetch("/admin/api/try", {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
        body: JSON.stringify({
          flow: sim.dataset.flow, lang: document.getElementById("sim-lang").value,
          action, value, conversation,
        }),
      });
      if (!response.ok) throw new Error(String(response.status));
      show(await response.json());
    } catch (e) {
      error.textContent = e.message === "409" ? error.dataset.broken : error.dataset.error;
      error.hidden = false;
    } finally {
      sim.dataset.busy = "";
    }
  }

  document.getElementById("sim-start").addEventListener("click", () => {
    log.textContent = "";
    conversation = "";
    turn("start", "", "");
  });
  for (const button of document.querySelectorAll("#sim-wait [data-wait]")) {
    button.addEventListener("click", () => turn("wait", button.dataset.wait, "⏩ " + button.textContent));
  }
  document.getElementById("sim-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const input = document.getElementById("sim-say");
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    turn("say", text, text);
  });

  window.addEventListener("DOMContentLoaded", async () => {
    // securityLevel strict: labels are text, never HTML or links from the flow file.
    window.mermaid.initialize({ startOnLoad: false, securityLevel: "strict", flowchart: { htmlLabels: false } });
    await window.mermaid.run({ nodes: [document.getElementById("diagram")] });
    document.getElementById("diagram").dataset.drawn = "1";
    highlight(current);
  });
})();
