// Counsellor console. All texts are inserted with textContent (never as HTML).
(function () {
  "use strict";
  var $ = function (id) { return document.getElementById(id); };
  // What the page shows is decided by the API: the words for each code come with the canned
  // replies (GET /api/quick-replies, handoff/console/vocabulary.py), the actions allowed on each
  // case in its "allowed" list and those of the signed-in user in /api/me (handoff/permissions.py).
  var me = null, options = null, current = null, lastId = 0, shown = {}, socket = null, retry = 1000;
  var baseTitle = document.title, titleTimer = null;
  // Messages in my chats that I have not seen (the chat not open, or the page not looked at):
  // a count on each chat in "my chats" and in the title, so a second person writing is never missed.
  var unread = {}, minePriority = {};
  function plainTitle() {
    var total = Object.keys(unread).reduce(function (n, id) { return n + unread[id]; }, 0);
    return (total ? "(" + total + ") " : "") + baseTitle;
  }
  function markUnread(id, count) {
    if (count) unread[id] = count; else delete unread[id];
    if (!titleTimer) document.title = plainTitle();
    var li = document.querySelector('#mine .case[data-id="' + id + '"]');
    if (li) showUnread(li, id);
  }
  function showUnread(li, id) {
    var badge = li.querySelector(".unread");
    if (!unread[id]) { if (badge) badge.remove(); return; }
    if (!badge) { badge = el("span", "badge unread"); li.querySelector(".line").appendChild(badge); }
    badge.textContent = unread[id] + " tin mới";
  }

  function api(method, path, body) {
    var headers = { "Content-Type": "application/json" };
    if (me && method !== "GET") headers["X-CSRF-Token"] = me.csrf;
    return fetch(path, { method: method, headers: headers, credentials: "same-origin",
                         body: body === undefined ? undefined : JSON.stringify(body) })
      .then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (data) {
          if (r.status === 401 && path !== "/api/login") { showLogin(); }
          if (!r.ok) { var e = new Error(data.message || "Có lỗi, hãy thử lại."); e.code = data.error; throw e; }
          return data;
        });
      });
  }
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function ago(seconds) {
    if (seconds < 60) return seconds + " giây";
    var m = Math.floor(seconds / 60);
    return m < 60 ? m + " phút" : Math.floor(m / 60) + " giờ " + (m % 60) + " phút";
  }
  // The words for a code (vocabulary: "priorities", "channels", ...), or the code itself.
  function word(vocabulary, code) {
    var words = options && options[vocabulary];
    return words && words[code] !== undefined ? words[code] : code;
  }
  function may(action, on) { return !!on && on.allowed.indexOf(action) >= 0; }
  function time(ts) { return new Date(ts * 1000).toLocaleTimeString("vi-VN", { hour: "2-digit", minute: "2-digit" }); }

  // --- sign-in -------------------------------------------------------------------
  function showLogin() {
    me = null;
    if (socket) { socket.onclose = null; socket.close(); socket = null; }
    $("app-view").hidden = true; $("login-view").hidden = false; $("login-username").focus();
  }
  $("login-form").addEventListener("submit", function (event) {
    event.preventDefault();
    $("login-error").textContent = "";
    api("POST", "/api/login", { username: $("login-username").value, password: $("login-password").value })
      .then(function (user) { $("login-password").value = ""; start(user); })
      .catch(function (e) { $("login-error").textContent = e.message; });
  });
  $("logout").addEventListener("click", function () {
    sessionStorage.removeItem(TAB_STATE);
    api("POST", "/api/logout", {}).finally(showLogin);
  });

  function start(user) {
    if (user.home && user.home !== location.pathname) { location.replace(user.home); return; }  // another role's page (admins: /console/admin/), before any live line
    me = user;
    $("login-view").hidden = true; $("app-view").hidden = false;
    $("me").textContent = user.display_name + " (" + user.role_name + ")";
    $("supervisor-panel").hidden = !may("queue.line", user);  // the whole line, review, statistics, facts
    // The words first: the lists show them.
    api("GET", "/api/quick-replies").then(function (data) {
      options = data; fillOptions();
      fillSelect($("search-outcome"), data.outcomes);
      fillSelect($("search-urgency"), data.priorities);
      fillSelect($("stats-channel"), data.channels);
    }).catch(function () {}).then(function () {
      connect(); refresh();
      if (saved.open) openConversation(saved.open);
    });
  }
  // A select's choices after its first ("Tất cả"), from a vocabulary.
  function fillSelect(select, words) {
    while (select.options.length > 1) select.remove(1);
    Object.keys(words).forEach(function (k) { var o = el("option", "", words[k]); o.value = k; select.appendChild(o); });
  }

  function fillOptions() {
    var quick = $("quick");
    while (quick.options.length > 1) quick.remove(1);
    options.quick_replies.forEach(function (q) { var o = el("option", "", q.title); o.value = q.text; quick.appendChild(o); });
    var outcomes = $("outcomes"), victim = $("victim");
    outcomes.querySelectorAll("label").forEach(function (n) { n.remove(); });
    victim.querySelectorAll("label").forEach(function (n) { n.remove(); });
    Object.keys(options.outcomes).forEach(function (key) {
      var label = el("label"), box = el("input"); box.type = "checkbox"; box.name = "outcome"; box.value = key;
      label.appendChild(box); label.appendChild(document.createTextNode(options.outcomes[key])); outcomes.appendChild(label);
    });
    Object.keys(options.victim_status).forEach(function (key) {
      var label = el("label"), radio = el("input"); radio.type = "radio"; radio.name = "victim"; radio.value = key;
      radio.checked = key === "unknown";
      label.appendChild(radio); label.appendChild(document.createTextNode(options.victim_status[key])); victim.appendChild(label);
    });
  }

  // --- live line -----------------------------------------------------------------
  function connect() {
    var proto = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(proto + location.host + "/api/ws");
    socket.onopen = function () {
      retry = 1000; setConnection(true);
      refresh(); if (current) loadMessages();  // catch up on what arrived while away
    };
    socket.onmessage = function (event) { onEvent(JSON.parse(event.data)); };
    socket.onclose = function () {
      setConnection(false);
      if (me) setTimeout(connect, retry); retry = Math.min(retry * 2, 15000);
    };
  }
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden && current && unread[current.id]) markUnread(current.id, 0);
  });
  function setConnection(up) {
    $("connection").textContent = up ? "Đã kết nối" : "Mất kết nối";
    $("connection").className = "badge " + (up ? "online" : "offline");
  }
  setInterval(function () {
    if (socket && socket.readyState === 1) socket.send(JSON.stringify({ type: "heartbeat", status: $("presence").value }));
  }, 10000);
  $("presence").addEventListener("change", function () {
    api("POST", "/api/presence", { status: $("presence").value }).then(refresh);
  });

  var refreshTimer = null, presenceKnown = false;
  function refreshSoon() { clearTimeout(refreshTimer); refreshTimer = setTimeout(refresh, 150); }
  function onEvent(event) {
    if (event.type === "message") {
      var here = current && event.conversation === current.id;
      if (here) addMessages([event.message]);
      if (event.message.role === "user") {
        if (event.conversation in minePriority && (!here || document.hidden)) {
          markUnread(event.conversation, (unread[event.conversation] || 0) + 1);
          if (minePriority[event.conversation] === "critical") criticalAlert();
        }
        refreshSoon();
      }
    } else if (["queue", "assigned", "closed", "presence", "intake"].indexOf(event.type) >= 0) {
      if (event.critical && event.type === "queue") criticalAlert();
      refreshSoon();
      if (current && event.conversation === current.id) openConversation(current.id);
    } else if (event.type === "alert") {
      criticalAlert(); refreshSoon();
    }
  }

  // A critical case: a short tone and a blinking title until the page is looked at.
  function criticalAlert() {
    try {
      var ctx = new (window.AudioContext || window.webkitAudioContext)();
      [0, 0.35].forEach(function (at) {
        var osc = ctx.createOscillator(), gain = ctx.createGain();
        osc.frequency.value = 880; osc.connect(gain); gain.connect(ctx.destination);
        gain.gain.setValueAtTime(0.2, ctx.currentTime + at);
        osc.start(ctx.currentTime + at); osc.stop(ctx.currentTime + at + 0.25);
      });
    } catch (e) { /* no sound device: the title still blinks */ }
    if (titleTimer) return;
    var on = false;
    titleTimer = setInterval(function () {
      on = !on; document.title = on ? "🔴 KHẨN CẤP – " + baseTitle : plainTitle();
      if (document.hasFocus() && !on) { clearInterval(titleTimer); titleTimer = null; }
    }, 800);
  }

  // --- queue and lists -----------------------------------------------------------
  function refresh() {
    if (!me) return;
    api("GET", "/api/queue").then(function (data) {
      renderCases($("queue"), data.waiting, true); $("queue-count").textContent = data.waiting.length;
      minePriority = {};
      data.mine.forEach(function (c) { minePriority[c.id] = c.effective_priority; });
      Object.keys(unread).forEach(function (id) { if (!(id in minePriority)) markUnread(id, 0); });
      renderCases($("mine"), data.mine, false); $("mine-count").textContent = data.mine.length;
      if (data.assigned) renderCases($("assigned"), data.assigned, false);
      var banner = $("alert-banner");
      if (data.alerts && data.alerts.length) {
        banner.hidden = false;
        banner.textContent = "Cảnh báo: " + data.alerts.length + " trường hợp khẩn cấp chưa có người nhận sau "
          + ago(data.alerts[0].waited_s) + ". Hãy phân công ngay.";
      } else { banner.hidden = true; }
      // (alerts come only to those who see the whole line)
      if (data.waiting.some(function (c) { return c.priority === "critical"; }) && !banner.hidden) criticalAlert();
      if (data.bursts) renderBursts(data.bursts, data.circuit);
    }).catch(function () {});
    api("GET", "/api/counsellors").then(function (data) {
      var team = $("team"); team.textContent = "";
      data.counsellors.forEach(function (c) {
        // After a reload the page takes the status the line knows ("Tạm vắng" stays away).
        if (!presenceKnown && c.username === me.username && c.presence !== "offline") $("presence").value = c.presence;
        var li = el("li"); li.appendChild(el("span", "", c.display_name + " (" + c.load + "/" + c.capacity + ")"));
        li.appendChild(el("span", "badge " + c.presence, c.presence === "online" ? "đang trực" : c.presence === "away" ? "tạm vắng" : "ngoại tuyến"));
        team.appendChild(li);
      });
      team.dataset.list = JSON.stringify(data.counsellors); presenceKnown = true;
    }).catch(function () {});
  }

  // Bursts (supervisors): many new conversations from one address, or the circuit open; one
  // button closes a whole group as abuse. Each case is still in the queue, to be looked at first.
  function renderBursts(bursts, circuit) {
    var ids = Object.keys(bursts), list = $("bursts");
    $("bursts-panel").hidden = !ids.length && !circuit;
    $("circuit").hidden = !circuit;
    if (circuit) $("circuit").textContent = "Lượng cuộc trò chuyện mới đang tăng bất thường (từ "
      + new Date(circuit.since * 1000).toLocaleTimeString("vi-VN") + "): cuộc mới được gom vào một nhóm.";
    list.textContent = "";
    ids.forEach(function (id) {
      var li = el("li", "case");
      li.appendChild(el("div", "line", bursts[id] + " cuộc đang chờ, mở từ cùng "
        + (id.charAt(0) === "c" ? "đợt tăng đột biến" : "một địa chỉ mạng") + " trong ít phút (có thể là tin giả)."));
      var button = el("button", "danger", "Bỏ qua cả nhóm (quấy rối)");
      button.type = "button";
      button.setAttribute("aria-label", "Bỏ qua cả nhóm " + bursts[id] + " cuộc, ghi là quấy rối");
      button.addEventListener("click", function () {
        if (!window.confirm("Đóng " + bursts[id] + " cuộc của nhóm này, ghi là quấy rối? Hãy xem vài cuộc trước khi đóng.")) return;
        api("POST", "/api/bursts/" + id + "/dismiss", {}).then(refresh).catch(function () {});
      });
      li.appendChild(button);
      list.appendChild(li);
    });
  }

  // A case in a list opens with a click, or from the keyboard (Tab to it, then Enter or Space).
  function openable(li, open) {
    li.tabIndex = 0; li.setAttribute("role", "button");
    li.addEventListener("click", open);
    li.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " ") { event.preventDefault(); open(); }
    });
  }
  function renderCases(list, cases, waiting) {
    list.textContent = "";
    cases.forEach(function (c) {
      var li = el("li", "case " + c.effective_priority + (current && current.id === c.id ? " selected" : ""));
      li.dataset.id = c.id;
      var line = el("div", "line");
      line.appendChild(el("span", "badge " + c.effective_priority, word("priorities", c.effective_priority)));
      line.appendChild(el("span", "", word("channels", c.channel)));
      line.appendChild(el("span", "muted", c.sender));
      line.appendChild(el("span", "muted", waiting ? "chờ " + ago(c.wait_s) : (c.counsellor ? "· " + c.counsellor : "")));
      if (c.returned) line.appendChild(el("span", "badge", "trả lại"));
      if (c.burst) line.appendChild(el("span", "badge", "nhóm"));
      li.appendChild(line);
      if (c.trigger_text) li.appendChild(el("div", "trigger", c.trigger_text));
      openable(li, function () { openConversation(c.id); });
      if (!waiting) showUnread(li, c.id);
      list.appendChild(li);
    });
  }

  // --- one conversation ----------------------------------------------------------
  // Each conversation keeps its own draft: words meant for one person never wait in the box for another.
  // The open chat and the drafts survive a reload of this tab (sessionStorage: this tab only,
  // gone when it closes or on sign-out), so a reload mid-reply loses nothing.
  var TAB_STATE = "hotline-console";
  var saved = JSON.parse(sessionStorage.getItem(TAB_STATE) || "{}");
  var drafts = saved.drafts || {};
  function saveTab() {
    if (current) drafts[current.id] = $("reply-text").value;
    sessionStorage.setItem(TAB_STATE, JSON.stringify({ open: current ? current.id : null, drafts: drafts }));
  }
  window.addEventListener("pagehide", saveTab);
  $("reply-text").addEventListener("input", saveTab);
  function switchDraft(id) {
    if (current) drafts[current.id] = $("reply-text").value;
    $("reply-text").value = drafts[id] || "";
    $("as-note").checked = false; showNoteMode();
  }
  // A case handed on is no longer mine: its view closes with a word of what happened, instead of
  // a reply box that would only answer "not found".
  function leaveConversation(notice) {
    if (current) delete drafts[current.id];
    current = null; $("reply-text").value = ""; $("chat").hidden = true; $("empty").hidden = false;
    $("empty").textContent = notice;
  }
  function openConversation(id) {
    if (unread[id]) markUnread(id, 0);
    if (!current || current.id !== id) { switchDraft(id); lastId = 0; shown = {}; $("transcript").textContent = ""; }
    return api("GET", "/api/conversations/" + id + "?after=0").then(function (c) {
      current = c; lastId = 0; shown = {}; $("transcript").textContent = "";
      $("empty").hidden = true; $("chat").hidden = false; $("chat-error").textContent = "";
      $("chat-priority").className = "badge " + c.priority; $("chat-priority").textContent = word("priorities", c.priority);
      $("chat-title").textContent = word("channels", c.channel) + " " + c.sender;
      $("chat-meta").textContent = " · " + word("states", c.state) + (c.counsellor ? " · " + c.counsellor : "")
        + (c.state === "queued" ? " · chờ " + ago(c.wait_s) : "")
        + (c.contacts_so_far > 1 ? " · đã liên hệ " + c.contacts_so_far + " lần" : "")
        + (c.blocked_until ? " · đang bị hạn chế" : "");
      $("chat-reasons").textContent = c.reasons.length || c.trigger ? "Lý do chuyển: " + c.reasons.map(function (r) {
        return word("reasons", r); }).join(", ") + " · chuyển bởi " + word("triggers", c.trigger) : "";
      var intake = c.intake, parts = [];
      if (intake.location) parts.push("Đang ở: " + intake.location);
      if (intake.safe_now) parts.push("Nhắn an toàn: " + intake.safe_now);
      if (intake.contact) parts.push("Liên hệ an toàn: " + intake.contact);
      if (intake.do_not_contact) parts.push("KHÔNG LIÊN HỆ LẠI");
      $("chat-intake").textContent = parts.join(" · ");
      // Each button is there when the API says this user may do it to this case.
      [["claim-btn", "conversation.claim"], ["transfer-btn", "conversation.transfer"],
       ["close-btn", "conversation.close"], ["reply-form", "conversation.message"],
       ["contact-btn", "conversation.contact"], ["takeover-btn", "conversation.take_over"],
       ["reassign-btn", "conversation.reassign"], ["review-form", "conversation.review"],
       ["block-btn", "conversation.block"], ["refer-btn", "conversation.refer"]].forEach(function (b) {
        $(b[0]).hidden = !may(b[1], c);
      });
      var refs = $("chat-referrals"); refs.textContent = "";
      (c.referrals || []).forEach(function (r) {
        var li = el("li", "", "Chuyển tuyến tới " + ((options && options.partners[r.partner] || {}).name || r.partner) + ": ");
        if (!may("referral.update", c)) { li.appendChild(el("span", "", word("referral_statuses", r.status))); refs.appendChild(li); return; }
        var select = el("select");
        var statuses = (options && options.referral_statuses) || {};
        Object.keys(statuses).forEach(function (st) {
          var o = el("option", "", statuses[st]); o.value = st; o.selected = st === r.status; select.appendChild(o);
        });
        select.addEventListener("change", function () {
          var outcome = select.value === "closed" ? window.prompt("Kết quả chuyển tuyến:") : "";
          api("POST", "/api/referrals/" + r.id, { status: select.value, outcome: outcome || "" })
            .then(function () { openConversation(current.id); })
            .catch(function (e) { $("chat-error").textContent = e.message; openConversation(current.id); });
        });
        li.appendChild(select);
        if (r.outcome) li.appendChild(el("span", "muted", " · " + r.outcome));
        refs.appendChild(li);
      });
      $("block-btn").textContent = c.blocked_until ? "Bỏ hạn chế" : "Hạn chế người gửi";
      $("review-status").textContent = c.reviews.length ? "Đã có " + c.reviews.length + " đánh giá" : "";
      addMessages(c.messages); addEvents(c.events);
      document.querySelectorAll(".case").forEach(function (n) { n.classList.toggle("selected", n.dataset.id === id); });
    }).catch(function (e) { $("chat-error").textContent = e.message; });
  }
  function loadMessages() {
    api("GET", "/api/conversations/" + current.id + "?after=" + lastId).then(function (c) { addMessages(c.messages); });
  }
  function addMessages(messages) {
    var list = $("transcript"), trigger = current && current.contacts.length
      ? current.contacts[current.contacts.length - 1].trigger_message_id : null;
    messages.forEach(function (m) {
      if (shown[m.id]) return;  // the live line and a catch-up may both bring it
      shown[m.id] = true; lastId = Math.max(lastId, m.id);
      var li = el("li", "msg " + m.role + (m.id === trigger ? " trigger" : ""));
      li.dataset.id = m.id; li.dataset.t = m.created_at;
      li.appendChild(el("span", "who", word("roles", m.role) + (m.author ? " · " + m.author : "") + " · " + time(m.created_at)));
      li.appendChild(document.createTextNode(m.text));
      // Two gateways writing at once may publish out of order: each message goes to its place.
      var before = null;
      for (var n = list.lastElementChild; n && Number(n.dataset.id) > m.id; n = n.previousElementSibling) before = n;
      list.insertBefore(li, before);
    });
    list.scrollTop = list.scrollHeight;
  }

  // The steps of the case (claimed, transferred, returned, closed…) in the transcript, at their time.
  var SYSTEM_ACTORS = ["", "system", "watchdog", "bot", "user", "gateway"];
  function addEvents(events) {
    var list = $("transcript");
    (events || []).forEach(function (e) {
      if (!options.events[e.kind] || shown["e" + e.id]) return;
      shown["e" + e.id] = true;
      var li = el("li", "msg event");
      li.dataset.t = e.at;
      var who = SYSTEM_ACTORS.indexOf(e.actor || "") >= 0 ? "" : e.actor + " ";
      li.appendChild(el("span", "who", "Diễn biến · " + time(e.at)));
      li.appendChild(document.createTextNode(who + word("events", e.kind)));
      var after = null;
      for (var n = list.firstElementChild; n; n = n.nextElementSibling) {
        if (Number(n.dataset.t) > e.at) { after = n; break; }
      }
      list.insertBefore(li, after);
    });
  }

  $("claim-btn").addEventListener("click", function () {
    api("POST", "/api/conversations/" + current.id + "/claim", {})
      .then(function () { openConversation(current.id); refresh(); $("reply-text").focus(); })
      .catch(function (e) { $("chat-error").textContent = e.message; refresh(); });
  });
  // The unmasked number or channel id, only on request: each look is written to the audit log.
  $("contact-btn").addEventListener("click", function () {
    api("POST", "/api/conversations/" + current.id + "/contact", {})
      .then(function (data) { $("chat-title").textContent = word("channels", data.channel) + " " + data.sender; })
      .catch(function (e) { $("chat-error").textContent = e.message; });
  });
  // A quick reply goes in at the cursor (replacing a selection), never over a half-written draft.
  $("quick").addEventListener("change", function () {
    if (!this.value) return;
    var box = $("reply-text"), start = box.selectionStart, end = box.selectionEnd;
    var before = box.value.slice(0, start), gap = before && !/\s$/.test(before) ? " " : "";
    box.setRangeText(gap + this.value, start, end, "end");
    this.value = "";
    box.focus();
  });
  // Note mode says so: the button, the placeholder and the box's colour change with the checkbox.
  function showNoteMode() {
    var note = $("as-note").checked;
    $("reply-form").classList.toggle("note-mode", note);
    $("send-btn").textContent = note ? "Lưu ghi chú" : "Gửi";
    $("reply-text").placeholder = note ? "Ghi chú nội bộ: chỉ đội tư vấn thấy, không gửi cho người dùng…"
                                       : "Nhập tin nhắn gửi người dùng…";
  }
  $("as-note").addEventListener("change", showNoteMode);
  function sendReply(text, confirmed) {
    $("send-btn").disabled = true;
    return api("POST", "/api/conversations/" + current.id + "/messages",
               { text: text, kind: $("as-note").checked ? "note" : "reply", confirmed_safe_contact: confirmed })
      .then(function (data) { $("reply-text").value = ""; $("as-note").checked = false; showNoteMode(); addMessages([data.message]); })
      .catch(function (e) {
        // A follow-up long after the user last wrote: show their safe-contact answer first.
        if (e.code === "confirm_safe_contact" && window.confirm(e.message)) return sendReply(text, true);
        $("chat-error").textContent = e.message;
      })
      .finally(function () { $("send-btn").disabled = false; });
  }
  $("reply-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var text = $("reply-text").value.trim();
    if (text) sendReply(text, false);
  });
  $("reply-text").addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); $("reply-form").requestSubmit(); }
  });

  $("close-btn").addEventListener("click", function () { $("close-error").textContent = ""; $("close-dialog").showModal(); });
  $("close-cancel").addEventListener("click", function () { $("close-dialog").close(); });
  $("close-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var outcomes = Array.prototype.map.call(document.querySelectorAll("input[name=outcome]:checked"), function (b) { return b.value; });
    var victim = document.querySelector("input[name=victim]:checked");
    api("POST", "/api/conversations/" + current.id + "/close", { outcomes: outcomes, victim: victim ? victim.value : "unknown" })
      .then(function () {
        $("close-dialog").close();
        document.querySelectorAll("input[name=outcome]").forEach(function (b) { b.checked = false; });
        openConversation(current.id); refresh();
      })
      .catch(function (e) { $("close-error").textContent = e.message; });
  });

  // Supervisors: take a live case over, or give it to an online counsellor.
  $("takeover-btn").addEventListener("click", function () {
    api("POST", "/api/conversations/" + current.id + "/takeover", {})
      .then(function () { openConversation(current.id); refresh(); })
      .catch(function (e) { $("chat-error").textContent = e.message; });
  });
  var reassigning = false;
  $("reassign-btn").addEventListener("click", function () { reassigning = true; openTransfer(); });
  $("transfer-btn").addEventListener("click", function () { reassigning = false; openTransfer(); });
  function openTransfer() {
    // Counsellors online first (a warm hand-over is what a transfer is for); the queue last, never
    // the default; supervisors take a case over from the whole line, they are not transfer targets.
    var select = $("transfer-target"); select.textContent = "";
    JSON.parse($("team").dataset.list || "[]").forEach(function (c) {
      if (c.username === (reassigning ? current.counsellor : me.username) || c.presence !== "online") return;
      if (c.role === "supervisor") return;
      var o = el("option", "", c.display_name + " (" + c.load + "/" + c.capacity + ")"); o.value = c.username; select.appendChild(o);
    });
    if (!reassigning) { var back = el("option", "", "Trả lại hàng chờ"); back.value = ""; select.appendChild(back); }
    $("transfer-note").parentNode.hidden = reassigning;
    $("transfer-error").textContent = ""; $("transfer-note").value = ""; $("transfer-dialog").showModal();
  }
  $("transfer-cancel").addEventListener("click", function () { $("transfer-dialog").close(); });
  $("transfer-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var target = $("transfer-target").value || null;
    var call = reassigning
      ? api("POST", "/api/conversations/" + current.id + "/reassign", { to: target })
      : api("POST", "/api/conversations/" + current.id + "/transfer", { to: target, note: $("transfer-note").value });
    var label = $("transfer-target").selectedOptions[0] ? $("transfer-target").selectedOptions[0].textContent : "";
    call
      .then(function () {
        $("transfer-dialog").close();
        if (reassigning) { openConversation(current.id); }
        else { leaveConversation(target ? "Đã chuyển cuộc trò chuyện cho " + label.replace(/ \(.*\)$/, "") + "."
                                        : "Đã trả cuộc trò chuyện về hàng chờ."); }
        refresh();
      })
      .catch(function (e) { $("transfer-error").textContent = e.message; });
  });

  // Referral to a rescue or support partner: a short summary, never the transcript.
  $("refer-btn").addEventListener("click", function () {
    var select = $("refer-partner"); select.textContent = "";
    Object.keys(options.partners).forEach(function (id) {
      var p = options.partners[id];
      var o = el("option", "", word("referral_kinds", p.kind) + " – " + p.name); o.value = id; select.appendChild(o);
    });
    $("refer-location").value = current.intake.location || ""; $("refer-contact").value = current.intake.contact || "";
    $("refer-text").textContent = ""; $("refer-error").textContent = ""; $("refer-dialog").showModal();
  });
  $("refer-cancel").addEventListener("click", function () { $("refer-dialog").close(); openConversation(current.id); });
  $("refer-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var consent = document.querySelector("input[name=refer-consent]:checked").value;
    api("POST", "/api/conversations/" + current.id + "/referrals", {
      partner: $("refer-partner").value, situation: $("refer-situation").value, location: $("refer-location").value,
      age: $("refer-age").value, contact: $("refer-contact").value, consent: consent === "yes" ? true : "emergency"
    }).then(function (data) { $("refer-text").textContent = data.text; })
      .catch(function (e) { $("refer-error").textContent = e.message; });
  });

  // Restricting an abusive sender: the reason is required, the person is told, danger still gets through.
  $("block-btn").addEventListener("click", function () {
    var body;
    if (current.blocked_until) { body = { unblock: true }; }
    else {
      var reason = window.prompt("Lý do hạn chế (người gửi sẽ được thông báo):");
      if (!reason) return;
      var hours = Number(window.prompt("Trong bao nhiêu giờ?", "24"));
      if (!hours) return;
      body = { hours: hours, reason: reason };
    }
    api("POST", "/api/conversations/" + current.id + "/block", body)
      .then(function () { openConversation(current.id); })
      .catch(function (e) { $("chat-error").textContent = e.message; });
  });

  // Transcript review for supervisors: find contacts, open them, mark them.
  $("search-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var q = "from=" + $("search-from").value + "&to=" + $("search-to").value;
    [["urgency", "search-urgency"], ["outcome", "search-outcome"], ["counsellor", "search-counsellor"],
     ["place", "search-place"]].forEach(function (f) {
      if ($(f[1]).value.trim()) q += "&" + f[0] + "=" + encodeURIComponent($(f[1]).value.trim());
    });
    api("GET", "/api/conversations?" + q).then(function (data) {
      var list = $("search-results"); list.textContent = "";
      if (!data.results.length) list.appendChild(el("li", "muted", "Không tìm thấy."));
      data.results.forEach(function (r) {
        var li = el("li", "case " + r.priority); li.dataset.id = r.conversation;
        var line = el("div", "line");
        line.appendChild(el("span", "badge " + r.priority, word("priorities", r.priority)));
        line.appendChild(el("span", "", word("channels", r.channel)));
        line.appendChild(el("span", "muted", new Date(r.queued_at * 1000).toLocaleString("vi-VN")));
        li.appendChild(line);
        li.appendChild(el("div", "trigger", (r.outcomes.map(function (o) { return options.outcomes[o] || o; }).join(", ") || "đang mở")
          + (r.counsellor ? " · " + r.counsellor : "")));
        openable(li, function () { openConversation(r.conversation); });
        list.appendChild(li);
      });
    }).catch(function (e) { $("search-results").textContent = e.message; });
  });
  $("review-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var contact = current.contacts[current.contacts.length - 1].id;
    var tags = $("review-tags").value.split(",").map(function (t) { return t.trim(); }).filter(Boolean);
    api("POST", "/api/conversations/" + current.id + "/review", { contact: contact,
      score: $("review-score").value ? Number($("review-score").value) : null, tags: tags,
      follow_up: $("review-follow-up").checked, note: $("review-note").value })
      .then(function () { $("review-status").textContent = "Đã lưu."; })
      .catch(function (e) { $("review-status").textContent = e.message; });
  });

  // Statistics for supervisors: the hotline's categories as bars, and the CSV for reports.
  function statsQuery() {
    return "from=" + $("stats-from").value + "&to=" + $("stats-to").value
      + ($("stats-channel").value ? "&channel=" + $("stats-channel").value : "");
  }
  (function () {
    // The hotline's days are Vietnam's (the server counts them so), whatever the laptop's clock zone:
    // between 0:00 and 7:00 in Vietnam a UTC laptop would otherwise still be on yesterday.
    var today = new Date().toLocaleDateString("en-CA", { timeZone: "Asia/Ho_Chi_Minh" });  // YYYY-MM-DD
    var first = today.slice(0, 8) + "01";
    $("stats-from").value = first; $("stats-to").value = today;
    $("search-from").value = first; $("search-to").value = today;
  })();
  $("stats-form").addEventListener("submit", function (event) {
    event.preventDefault();
    api("GET", "/api/stats?" + statsQuery()).then(function (s) {
      var box = $("stats"); box.textContent = "";
      var top = Math.max(1, s.contacts_received);
      ((options && options.statistics) || []).forEach(function (r) {
        var row = el("div", "row"); row.appendChild(el("span", "", r[1])); row.appendChild(el("strong", "", String(s[r[0]])));
        var bar = el("div", "bar"); bar.style.width = (100 * s[r[0]] / top) + "%"; row.appendChild(bar);
        box.appendChild(row);
      });
      var c = s.times.critical;
      box.appendChild(el("div", "", "Khẩn cấp: nhận sau trung vị " + (c.claim_median_s === null ? "–" : Math.round(c.claim_median_s) + " giây")
        + ", 90% trong " + (c.claim_p90_s === null ? "–" : Math.round(c.claim_p90_s) + " giây")));
      if (s.satisfied_share !== null) box.appendChild(el("div", "", "Hài lòng: " + Math.round(100 * s.satisfied_share) + "%"));
    }).catch(function (e) { $("stats").textContent = e.message; });
  });
  $("stats-csv").addEventListener("click", function (event) {
    event.preventDefault();
    window.location.href = "/api/stats.csv?" + statsQuery();
  });

  // The directory's facts for supervisors: those past their review date first (data/directory.yml).
  $("facts-show").addEventListener("click", function () {
    api("GET", "/api/facts").then(function (f) {
      var list = $("facts"); list.textContent = "";
      $("facts-summary").textContent = f.entries.length + " mục, " + f.past_review + " mục đã quá hạn kiểm tra lại.";
      f.entries.forEach(function (e) {
        var item = el("li", e.past_review ? "fact late" : "fact");
        var marks = (e.past_review ? " · QUÁ HẠN KIỂM TRA" : "") + (e.confirmed ? "" : " · CHƯA XÁC NHẬN (trợ lý không nêu)");
        item.appendChild(el("strong", "", e.name + (e.phone && e.name.indexOf(e.phone) < 0 ? " · " + e.phone : "") + marks));
        item.appendChild(el("div", "", "Nguồn: " + e.source));
        item.appendChild(el("div", "", "Kiểm tra ngày " + e.verified + ", cần kiểm tra lại trước " + e.review_due));
        if (e.note) item.appendChild(el("div", "note", e.note));
        list.appendChild(item);
      });
      $("facts-summary").scrollIntoView({ block: "start" });  // the list sits below the statistics
    }).catch(function (e) { $("facts-summary").textContent = e.message; });
  });

  setInterval(function () { if (me) refresh(); }, 15000);  // wait times keep moving
  api("GET", "/api/me").then(start).catch(showLogin);
})();
