// Web chat client. Texts are inserted with textContent only (never as HTML).
(function () {
  "use strict";
  var KEY = "hotline-chat";
  var log = document.getElementById("log");
  var form = document.getElementById("composer");
  var input = document.getElementById("text");
  var send = document.getElementById("send");

  function load() {
    try { return JSON.parse(sessionStorage.getItem(KEY)) || null; } catch (e) { return null; }
  }
  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return String(Date.now()) + Math.random().toString(16).slice(2);
  }
  var state = load() || { sender: newId(), messages: [], cursor: "0" };
  if (!state.cursor) state.cursor = "0";
  function save() { sessionStorage.setItem(KEY, JSON.stringify(state)); }

  function show(kind, text) {
    var div = document.createElement("div");
    div.className = "msg " + kind;
    div.textContent = text;
    log.appendChild(div);
    log.scrollTop = log.scrollHeight;
  }
  function add(kind, text) { state.messages.push([kind, text]); save(); show(kind, text); }

  state.messages.forEach(function (m) { show(m[0], m[1]); });
  if (!state.messages.length) {
    show("bot", "Xin chào! Bạn cứ nhắn điều bạn cần hỏi, có dấu hay không dấu đều được. Thông tin của bạn được giữ bí mật.");
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    input.value = "";
    add("user", text);
    send.disabled = true;
    fetch("/webhooks/web", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ sender: state.sender, text: text })
    }).then(function (response) {
      return response.json().then(function (body) { return { ok: response.ok, body: body }; });
    }).then(function (result) {
      if (!result.ok) { show("error", result.body.message || "Có lỗi, bạn hãy thử lại."); return; }
      result.body.messages.forEach(function (m) { add("bot", m.text); });
    }).catch(function () {
      show("error", document.body.getAttribute("data-send-error"));  // numbers from the directory
    }).then(function () { send.disabled = false; input.focus(); });
  });

  // What arrives later (a counsellor's replies, queue notices) comes by long polling;
  // the cursor is kept with the history, so a reload neither loses nor repeats a message.
  var polling = true;
  function poll() {
    if (!polling) return;
    fetch("/webhooks/web/updates?sender=" + encodeURIComponent(state.sender) + "&after=" + encodeURIComponent(state.cursor))
      .then(function (response) { if (!response.ok) throw new Error(String(response.status)); return response.json(); })
      .then(function (body) {
        body.messages.forEach(function (m) { add("agent", m.text); });
        state.cursor = body.cursor; save();
        // retry_ms: the gateway is holding as many waiting polls as it may; ask again later.
        if (body.retry_ms) setTimeout(poll, body.retry_ms); else poll();
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  poll();

  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); form.requestSubmit(); }
  });

  // Quick exit: forget this chat and leave for a neutral page, without a back-button trail.
  document.getElementById("quick-exit").addEventListener("click", function () {
    polling = false;
    sessionStorage.removeItem(KEY);
    log.textContent = "";
    window.location.replace("https://www.google.com/");
  });
})();
