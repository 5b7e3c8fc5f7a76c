/* Trợ lý số web chat. No framework, no external address.
 *
 * - Who: a random token kept in this browser (localStorage), sent in the first WebSocket
 *   message or a header, never in an address.
 * - Nothing lost, nothing doubled: every message gets an id made here and is kept until the
 *   bot says it has it (a retried id is handled once); replies are numbered, so after a
 *   reconnect the page asks for exactly what it missed.
 * - WebSocket, and plain HTTP (long poll) where WebSocket is blocked.
 * - Every text is shown with textContent: nothing typed can become markup.
 */
(function () {
  "use strict";

  var body = document.body;
  var TEXTS = JSON.parse(body.getAttribute("data-texts"));
  var lang = body.getAttribute("data-lang") || "vi";
  var $ = function (id) { return document.getElementById(id); };
  var transcript = $("transcript");
  var statusLine = $("status");
  var form = $("composer");
  var input = $("say");
  var sendButton = $("send");
  var session = window.sessionStorage;
  var local = window.localStorage;
  var KEY = "trolyso.chat";

  function t(name) { return (TEXTS[lang] || TEXTS.vi)[name] || TEXTS.vi[name] || ""; }

  function randomId(bytes) {
    var a = new Uint8Array(bytes);
    window.crypto.getRandomValues(a);
    var s = "";
    for (var i = 0; i < a.length; i++) { s += String.fromCharCode(a[i]); }
    return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function resident() {
    var r = null;
    try { r = local.getItem("trolyso.resident"); } catch (e) { r = null; }
    if (!r) {
      r = randomId(24);
      try { local.setItem("trolyso.resident", r); } catch (e) { /* private mode: this tab only */ }
    }
    return r;
  }

  var RESIDENT = resident();
  // What this tab shows and still has to send; kept across a reload of the tab.
  var state = { epoch: "", seq: 0, items: [], pending: [] };
  try {
    var saved = JSON.parse(session.getItem(KEY) || "null");
    if (saved && Array.isArray(saved.items)) { state = saved; }
  } catch (e) { /* start afresh */ }

  function save() {
    state.items = state.items.slice(-150);
    try { session.setItem(KEY, JSON.stringify(state)); } catch (e) { /* full: keep going */ }
  }

  // --- showing ---------------------------------------------------------------------------------

  function scrollDown() { transcript.scrollTop = transcript.scrollHeight; }

  function bubble(who) {
    var div = document.createElement("div");
    div.className = "msg " + who;
    var name = document.createElement("span");
    name.className = "who";
    name.textContent = who === "me" ? t("you") : t("bot");
    div.appendChild(name);
    return div;
  }

  function showMine(text) {
    var div = bubble("me");
    div.appendChild(document.createTextNode(text));
    transcript.appendChild(div);
  }

  function showBot(message) {
    var div = bubble("bot");
    if (message.image) {
      var img = document.createElement("img");
      img.src = message.image;
      img.alt = "";
      img.loading = "lazy";
      div.appendChild(img);
    }
    div.appendChild(document.createTextNode(message.text || ""));
    var rows = message.buttons || [];
    if (rows.length) {
      var choices = document.createElement("div");
      choices.className = "choices";
      rows.forEach(function (row) {
        row.forEach(function (b) {
          var el;
          if (b.url) {
            el = document.createElement("a");
            el.href = b.url;
            el.target = "_blank";
            el.rel = "noopener noreferrer";
          } else {
            el = document.createElement("button");
            el.type = "button";
            el.setAttribute("data-payload", b.payload);
          }
          el.textContent = b.label;
          choices.appendChild(el);
        });
      });
      div.appendChild(choices);
    }
    transcript.appendChild(div);
  }

  function show(item) {
    if (item.who === "me") { showMine(item.text); } else { showBot(item.message); }
  }

  state.items.forEach(show);
  scrollDown();

  function relabel() {
    document.documentElement.lang = lang;
    $("tagline").textContent = t("tagline");
    $("tool-menu").textContent = t("menu");
    $("tool-help").textContent = t("help");
    $("tool-lang").textContent = t("language");
    input.placeholder = t("placeholder");
    sendButton.textContent = t("send");
  }

  function setLang(value) {
    if ((value === "vi" || value === "en") && value !== lang) { lang = value; relabel(); }
  }

  function note(text) {
    statusLine.textContent = text;
    statusLine.hidden = !text;
  }

  // --- sending ---------------------------------------------------------------------------------

  function queue(message, shown) {
    message.id = randomId(12);
    state.pending.push(message);
    if (shown) {
      state.items.push({ who: "me", text: shown });
      showMine(shown);
      scrollDown();
    }
    save();
    flush();
  }

  function acknowledged(id) {
    state.pending = state.pending.filter(function (m) { return m.id !== id; });
    save();
  }

  function onAnswer(answer) {
    if (!answer || !answer.id) { return; }
    if (answer.type === "ack") {
      acknowledged(answer.id);
      if (answer.lang) { setLang(answer.lang); }
    } else if (answer.type === "refused") {
      acknowledged(answer.id);
      if (answer.code === "too_long") { note(t("too_long")); }
    } else if (answer.type === "retry") {
      if (answer.code === "slow_down") { note(t("slow_down")); }
      window.setTimeout(flush, 2000);
    }
  }

  function onReply(reply) {
    if (reply.seq <= state.seq) { return; }  // already shown
    state.seq = reply.seq;
    state.items.push({ who: "bot", message: reply.message });
    showBot(reply.message);
    save();
    scrollDown();
  }

  function onEpoch(epoch) {
    if (state.epoch && state.epoch !== epoch) {
      // The bot restarted: its numbers start again; it shows where the resident is.
      state.seq = 0;
      state.epoch = epoch;
      save();
      queue({ open: true, lang: phoneLang() }, "");
      return;
    }
    state.epoch = epoch;
    save();
  }

  function phoneLang() {
    return (navigator.language || "vi").toLowerCase().indexOf("en") === 0 ? "en" : "vi";
  }

  // --- the connection: WebSocket, else long polling --------------------------------------------

  var socket = null;
  var connected = false;
  var failures = 0;
  var welcomed = false;  // a WebSocket here has worked at least once
  var polling = false;
  var inFlight = {};

  function setConnected(yes) {
    connected = yes;
    input.disabled = !yes;
    sendButton.disabled = !yes;
    if (yes) { note(""); } else { note(navigator.onLine === false ? t("offline") : t("reconnecting")); }
  }

  function flush() {
    if (!connected) { return; }
    state.pending.forEach(function (m) {
      if (inFlight[m.id]) { return; }
      inFlight[m.id] = true;
      if (polling) {
        postMessage(m);
      } else if (socket && socket.readyState === 1) {
        socket.send(JSON.stringify(m));
      }
    });
  }

  function retryLater() {
    inFlight = {};
    setConnected(false);
    failures += 1;
    var wait = Math.min(15000, 1000 * Math.pow(2, Math.min(failures, 4)));
    window.setTimeout(connect, wait);
  }

  function connect() {
    if (polling) { poll(); return; }
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    try {
      socket = new WebSocket(scheme + window.location.host + "/ws");
    } catch (e) {
      polling = true;
      poll();
      return;
    }
    // A proxy may accept the connection and pass nothing through: give it a few seconds.
    var silent = window.setTimeout(function () { if (socket) { socket.close(); } }, 8000);
    socket.onopen = function () {
      socket.send(JSON.stringify({
        type: "hello", resident: RESIDENT, since: state.seq, epoch: state.epoch, lang: phoneLang()
      }));
    };
    socket.onmessage = function (event) {
      var data;
      try { data = JSON.parse(event.data); } catch (e) { return; }
      if (data.type === "welcome") {
        window.clearTimeout(silent);
        welcomed = true;
        failures = 0;
        onEpoch(data.epoch);
        setLang(data.lang);
        setConnected(true);
        flush();
      } else if (data.type === "reply") {
        onReply(data);
      } else {
        delete inFlight[data.id];
        onAnswer(data);
      }
    };
    socket.onclose = function () {
      window.clearTimeout(silent);
      socket = null;
      if (!welcomed && failures >= 1) { polling = true; }  // WebSocket seems blocked here
      retryLater();
    };
  }

  function headers() {
    return { "Content-Type": "application/json", "X-Resident": RESIDENT, "X-Lang": phoneLang() };
  }

  function postMessage(m) {
    fetch("/api/send", { method: "POST", headers: headers(), body: JSON.stringify(m) })
      .then(function (r) { return r.json(); })
      .then(function (answer) { delete inFlight[m.id]; onAnswer(answer); })
      .catch(function () { delete inFlight[m.id]; window.setTimeout(flush, 3000); });
  }

  function poll() {
    // Answered at once while not connected (to learn the bot is there), then held open.
    var url = "/api/poll?since=" + state.seq + "&epoch=" + encodeURIComponent(state.epoch) +
      (connected ? "" : "&wait=0");
    fetch(url, { headers: headers() })
      .then(function (r) { if (!r.ok) { throw new Error("poll"); } return r.json(); })
      .then(function (data) {
        failures = 0;
        onEpoch(data.epoch);
        setLang(data.lang);
        if (!connected) { setConnected(true); flush(); }
        (data.replies || []).forEach(onReply);
        poll();
      })
      .catch(retryLater);
  }

  // --- what the resident does --------------------------------------------------------------------

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) { return; }
    if (text.length > 1000) { note(t("too_long")); return; }
    input.value = "";
    queue({ text: text }, text);
  });

  transcript.addEventListener("click", function (event) {
    var target = event.target;
    if (!(target instanceof HTMLButtonElement) || !target.hasAttribute("data-payload")) { return; }
    queue({ press: target.getAttribute("data-payload") }, target.textContent);
  });

  Array.prototype.forEach.call(document.querySelectorAll(".tool"), function (tool) {
    tool.addEventListener("click", function () {
      queue({ text: tool.getAttribute("data-command") }, tool.textContent);
    });
  });

  // The on-screen keyboard must not hide the answer being typed.
  function fit() {
    var height = window.visualViewport ? window.visualViewport.height : window.innerHeight;
    document.documentElement.style.setProperty("--app-height", height + "px");
    scrollDown();
  }
  if (window.visualViewport) { window.visualViewport.addEventListener("resize", fit); }
  window.addEventListener("resize", fit);
  fit();

  window.addEventListener("online", function () { if (!connected) { failures = 0; connect(); } });

  // A poster's link (/?start=vneid_install-vCODE) starts its guide once, then leaves the address.
  var params = new URLSearchParams(window.location.search);
  var start = params.get("start");
  if (start && /^[A-Za-z0-9_-]{1,64}$/.test(start)) {
    queue({ start: start }, "");
  } else if (!state.items.length && !state.pending.length) {
    queue({ open: true, lang: phoneLang() }, "");
  }
  if (start !== null && window.history.replaceState) {
    window.history.replaceState(null, "", window.location.pathname);
  }
  setConnected(false);
  connect();
})();
