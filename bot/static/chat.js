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

  // Who writes: "bot", "counsellor" or "system" as the gateway says (bot/channels/web.py), with
  // the label it gives ("Tư vấn viên Lan", "Hệ thống", the bot's name); the person's own
  // messages and errors carry none.
  var KINDS = { bot: 1, counsellor: 1, system: 1 };
  function show(kind, text, label) {
    var div = document.createElement("div");
    div.className = "msg " + (KINDS[kind] || kind === "user" || kind === "error" ? kind : "system");
    if (label) {
      var who = document.createElement("span");
      who.className = "from";
      who.textContent = label;
      div.appendChild(who);
    }
    var body = document.createElement("span");
    body.className = "text";
    body.textContent = text;
    div.appendChild(body);
    log.appendChild(div);
    log.scrollTop = log.scrollHeight;
  }
  function add(kind, text, label) { state.messages.push([kind, text, label || ""]); save(); show(kind, text, label); }
  var botName = document.body.getAttribute("data-bot-name");

  state.messages.forEach(function (m) { show(m[0], m[1], m[2]); });
  if (!state.messages.length) {
    show("bot", "Xin chào! Bạn cứ nhắn điều bạn cần hỏi, có dấu hay không dấu đều được. Thông tin của bạn được giữ bí mật.", botName);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    input.value = "";
    add("user", text);
    send.disabled = true;
    sending += 1;
    fetch("/webhooks/web", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ sender: state.sender, text: text })
    }).then(function (response) {
      return response.json().then(function (body) { return { ok: response.ok, body: body }; });
    }).then(function (result) {
      if (!result.ok) { show("error", result.body.message || "Có lỗi, bạn hãy thử lại."); return; }
      result.body.messages.forEach(function (m) { add(m.from || "bot", m.text, m.label || botName); });
    }).catch(function () {
      show("error", document.body.getAttribute("data-send-error"));  // numbers from the directory
    }).then(function () {
      sending -= 1;
      if (!sending) { held.forEach(function (m) { add(m.from || "system", m.text, m.label); }); held = []; }
      send.disabled = false; input.focus();
    });
  });

  // What arrives later (a counsellor's replies, queue notices) comes by long polling;
  // the cursor is kept with the history, so a reload neither loses nor repeats a message.
  // An urgent message's reply comes at once and Rasa's answer after it, by this poll
  // (bot/answers.py): what the poll brings while a message is being sent is shown after its reply.
  var polling = true, sending = 0, held = [];
  function poll() {
    if (!polling) return;
    fetch("/webhooks/web/updates?sender=" + encodeURIComponent(state.sender) + "&after=" + encodeURIComponent(state.cursor))
      .then(function (response) { if (!response.ok) throw new Error(String(response.status)); return response.json(); })
      .then(function (body) {
        body.messages.forEach(function (m) {
          if (sending) held.push(m); else add(m.from || "system", m.text, m.label);
        });
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
