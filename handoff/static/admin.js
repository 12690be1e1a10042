// The admin page: console accounts and the audit log (handoff/console/accounts.py, records.py).
// Admins hold no conversations, so this page opens no live line: nothing here makes a WebSocket.
// The words (roles, actions) and the Vietnam times come from the API; the page keeps no copy.
(function () {
  "use strict";
  var me = null, nextAudit = null, accountsByName = {}, returnFocus = null, target = null;

  function $(id) { return document.getElementById(id); }
  function el(tag, cls, text) {
    var n = document.createElement(tag);
    if (cls) n.className = cls;
    if (text !== undefined) n.textContent = text;
    return n;
  }

  function api(method, path, body) {
    var headers = { "Content-Type": "application/json" };
    if (me) headers["X-CSRF-Token"] = me.csrf;
    return fetch(path, { method: method, headers: headers, credentials: "same-origin",
                         body: body === undefined ? undefined : JSON.stringify(body) })
      .then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (data) {
          if (r.status === 401 && path !== "/api/login") { showLogin(); }
          if (!r.ok) { var e = new Error(data.message || "Có lỗi, hãy thử lại."); e.status = r.status; throw e; }
          return data;
        });
      });
  }

  // --- sign-in: a user of another role is sent to their own page -----------------------
  function showLogin() {
    me = null;
    $("app-view").hidden = true; $("login-view").hidden = false; $("login-username").focus();
  }
  function start(user) {
    if (user.home && user.home !== location.pathname) { location.replace(user.home); return; }
    me = user;
    $("login-view").hidden = true; $("app-view").hidden = false;
    $("me").textContent = user.display_name + " (" + user.role_name + ")";
    loadAccounts(); loadAudit(false);
  }
  $("login-form").addEventListener("submit", function (event) {
    event.preventDefault();
    $("login-error").textContent = "";
    api("POST", "/api/login", { username: $("login-username").value, password: $("login-password").value })
      .then(function (user) { $("login-password").value = ""; start(user); })
      .catch(function (e) { $("login-error").textContent = e.message; });
  });
  $("logout").addEventListener("click", function () { api("POST", "/api/logout", {}).finally(showLogin); });

  // --- accounts --------------------------------------------------------------------------
  function loadAccounts() {
    return api("GET", "/api/accounts").then(function (data) {
      var role = $("new-role"), chosen = role.value || "counsellor";
      role.textContent = "";
      Object.keys(data.roles).forEach(function (k) {
        var o = el("option", "", data.roles[k]); o.value = k; o.selected = k === chosen; role.appendChild(o);
      });
      languageNames = data.languages || {};
      var body = $("accounts").tBodies[0]; body.textContent = ""; accountsByName = {};
      data.accounts.forEach(function (a) { accountsByName[a.username] = a; body.appendChild(accountRow(a)); });
      $("accounts-status").textContent = data.accounts.length + " tài khoản, "
        + data.accounts.filter(function (a) { return !a.active; }).length + " đang bị khóa.";
    }).catch(function (e) { $("accounts-status").textContent = e.message; });
  }
  function accountRow(a) {
    var tr = el("tr", a.active ? "" : "disabled"); tr.dataset.username = a.username;
    tr.appendChild(el("td", "", a.username));
    tr.appendChild(el("td", "", a.display_name));
    tr.appendChild(el("td", "", a.role_name));
    tr.appendChild(el("td", "", String(a.capacity)));
    tr.appendChild(languagesCell(a));
    var state = el("td"); state.appendChild(el("span", "badge " + (a.active ? "active" : "inactive"),
                                              a.active ? "Hoạt động" : "Đã khóa"));
    tr.appendChild(state);
    var cell = el("td"), actions = el("div", "row-actions"); cell.appendChild(actions);
    if (a.username !== me.username) {  // an admin never locks themself out
      var toggle = el("button", a.active ? "danger toggle" : "toggle", a.active ? "Khóa" : "Mở khóa");
      toggle.type = "button";
      toggle.setAttribute("aria-label", (a.active ? "Khóa tài khoản " : "Mở khóa tài khoản ") + a.username);
      toggle.addEventListener("click", function () {
        if (a.active) { askDisable(a, toggle); return; }
        setActive(a.username, true).then(function () { focusRow(a.username, ".toggle"); })
          .catch(function (e) { $("accounts-status").textContent = e.message; });
      });
      actions.appendChild(toggle);
    }
    var reset = el("button", "secondary reset", "Đặt lại mật khẩu"); reset.type = "button";
    reset.setAttribute("aria-label", "Đặt lại mật khẩu cho " + a.username);
    reset.addEventListener("click", function () { askPassword(a, reset); });
    actions.appendChild(reset);
    tr.appendChild(cell);
    return tr;
  }
  // The languages besides Vietnamese a counsellor speaks: cases in them are offered to them first.
  var languageNames = {};
  function languagesCell(a) {
    var cell = el("td"), box = el("details", "languages");
    var spoken = a.languages.map(function (c) { return languageNames[c] || c; }).join(", ");
    box.appendChild(el("summary", "", spoken || "Chỉ tiếng Việt"));
    var group = el("fieldset"); group.appendChild(el("legend", "", "Ngôn ngữ của " + a.username));
    Object.keys(languageNames).forEach(function (code) {
      var label = el("label"), input = el("input");
      input.type = "checkbox"; input.value = code; input.checked = a.languages.indexOf(code) >= 0;
      label.appendChild(input); label.appendChild(document.createTextNode(" " + languageNames[code]));
      group.appendChild(label);
    });
    var save = el("button", "secondary save-languages", "Lưu ngôn ngữ"); save.type = "button";
    save.addEventListener("click", function () {
      var codes = Array.prototype.filter.call(group.querySelectorAll("input"), function (i) { return i.checked; })
        .map(function (i) { return i.value; });
      api("POST", "/api/accounts/" + encodeURIComponent(a.username) + "/languages", { languages: codes })
        .then(function () { return loadAccounts(); })
        .then(function () { $("accounts-status").textContent = "Đã lưu ngôn ngữ của " + a.username + "."; })
        .catch(function (e) { $("accounts-status").textContent = e.message; });
    });
    group.appendChild(save); box.appendChild(group); cell.appendChild(box);
    return cell;
  }
  // After a redraw the button that opened a dialog is gone: focus its new copy in the same row.
  function focusRow(username, selector) {
    var row = document.querySelector('#accounts tr[data-username="' + CSS.escape(username) + '"]');
    var button = row && row.querySelector(selector);
    if (button) button.focus();
  }
  function setActive(username, active) {
    return api("POST", "/api/accounts/" + encodeURIComponent(username) + "/active", { active: active })
      .then(function () {
        $("accounts-status").textContent = (active ? "Đã mở khóa tài khoản " : "Đã khóa tài khoản ") + username + ".";
        loadAudit(false);
        return loadAccounts();
      });
  }

  $("create-form").addEventListener("submit", function (event) {
    event.preventDefault();
    $("create-error").textContent = "";
    var capacity = $("new-capacity").value;
    api("POST", "/api/accounts", { username: $("new-username").value.trim(), display_name: $("new-name").value.trim(),
                                   role: $("new-role").value, password: $("new-password").value,
                                   capacity: capacity ? Number(capacity) : null })
      .then(function (data) {
        $("create-form").reset(); $("new-capacity").value = "3";
        loadAccounts().then(function () {
          $("accounts-status").textContent = "Đã tạo tài khoản " + data.account.username + " ("
            + data.account.role_name + ").";
          $("new-username").focus();
        });
        loadAudit(false);
      })
      .catch(function (e) { $("create-error").textContent = e.message; });
  });

  // --- dialogs: focus goes in, and back to the button that opened them --------------------
  function openDialog(dialog, opener, first) {
    returnFocus = opener; dialog.showModal(); first.focus();
  }
  function closeDialog(dialog) {
    dialog.close();
    if (returnFocus && document.body.contains(returnFocus)) returnFocus.focus();
  }
  ["password-dialog", "disable-dialog"].forEach(function (id) {
    $(id).addEventListener("cancel", function (event) { event.preventDefault(); closeDialog($(id)); });  // Esc
  });

  function askPassword(account, opener) {
    target = account; $("password-error").textContent = ""; $("reset-password").value = "";
    $("password-title").textContent = "Đặt lại mật khẩu cho " + account.username;
    openDialog($("password-dialog"), opener, $("reset-password"));
  }
  $("password-cancel").addEventListener("click", function () { closeDialog($("password-dialog")); });
  $("password-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var username = target.username;
    api("POST", "/api/accounts/" + encodeURIComponent(username) + "/password", { password: $("reset-password").value })
      .then(function () {
        $("reset-password").value = ""; closeDialog($("password-dialog"));
        $("accounts-status").textContent = "Đã đặt lại mật khẩu cho " + username + "; người này đã bị đăng xuất.";
        loadAudit(false);
      })
      .catch(function (e) { $("password-error").textContent = e.message; });
  });

  function askDisable(account, opener) {
    target = account; $("disable-error").textContent = "";
    $("disable-text").textContent = "Khóa tài khoản " + account.username + " (" + account.display_name
      + ")? Người này bị đăng xuất ngay và không đăng nhập được nữa cho đến khi được mở khóa.";
    openDialog($("disable-dialog"), opener, $("disable-cancel"));  // the safe choice first
  }
  $("disable-cancel").addEventListener("click", function () { closeDialog($("disable-dialog")); });
  $("disable-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var username = target.username;
    // Closed before the focus moves: a modal dialog closing puts the focus back where it was.
    setActive(username, false).then(function () { $("disable-dialog").close(); focusRow(username, ".toggle"); })
      .catch(function (e) { $("disable-error").textContent = e.message; });
  });

  // --- the audit log ---------------------------------------------------------------------
  // dd/mm/yyyy as typed -> YYYY-MM-DD for the API; "" when empty; null when not a day.
  function isoDay(text) {
    text = text.trim();
    if (!text) return "";
    var m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(text);
    if (!m) return null;
    var d = new Date(Date.UTC(+m[3], +m[2] - 1, +m[1]));
    if (d.getUTCDate() !== +m[1] || d.getUTCMonth() !== +m[2] - 1) return null;  // 31/02 is no day
    return d.toISOString().slice(0, 10);
  }
  function auditQuery(before) {
    var q = new URLSearchParams();  // the API gives 100 a page
    [["actor", "audit-actor"], ["action", "audit-action"]]
      .forEach(function (p) { if ($(p[1]).value) q.set(p[0], $(p[1]).value); });
    var from = isoDay($("audit-from").value), to = isoDay($("audit-to").value);
    if (from === null || to === null) return null;
    if (from) q.set("from", from);
    if (to) q.set("to", to);
    if (before) q.set("before", before);
    return q.toString();
  }
  function fillChoices(select, choices) {  // keep "Tất cả" and what was chosen
    var chosen = select.value;
    while (select.options.length > 1) select.remove(1);
    choices.forEach(function (c) {
      var o = el("option", "", c[1]); o.value = c[0]; o.selected = c[0] === chosen; select.appendChild(o);
    });
  }
  function loadAudit(more) {
    var query = auditQuery(more ? nextAudit : null);
    if (query === null) {
      $("audit-status").textContent = "Ngày cần dạng ngày/tháng/năm, ví dụ 03/12/2026.";
      return Promise.resolve();
    }
    return api("GET", "/api/audit?" + query).then(function (data) {
      fillChoices($("audit-actor"), data.actors.map(function (a) { return [a, a === "system" ? "Hệ thống" : a]; }));
      fillChoices($("audit-action"), Object.keys(data.actions).map(function (k) { return [k, data.actions[k]]; }));
      var body = $("audit").tBodies[0];
      if (!more) body.textContent = "";
      data.audit.forEach(function (a) {
        var tr = el("tr");
        tr.appendChild(el("td", "time", a.time));
        tr.appendChild(el("td", "", a.actor === "system" ? "Hệ thống" : a.actor));
        tr.appendChild(el("td", "", a.action_name));
        tr.appendChild(el("td", "object", a.object));
        body.appendChild(tr);
      });
      nextAudit = data.next; $("audit-more").hidden = !data.next;
      var n = body.rows.length;
      $("audit-status").textContent = n ? "Hiện " + n + " mục" + (data.next ? " (còn nữa)" : "") + "."
                                        : "Không có mục nào khớp bộ lọc.";
    }).catch(function (e) { $("audit-status").textContent = e.message; });
  }
  $("audit-filter").addEventListener("submit", function (event) { event.preventDefault(); loadAudit(false); });
  $("audit-clear").addEventListener("click", function () {
    ["audit-actor", "audit-action", "audit-from", "audit-to"].forEach(function (id) { $(id).value = ""; });
    loadAudit(false);
  });
  $("audit-more").addEventListener("click", function () { loadAudit(true); });

  api("GET", "/api/me").then(start).catch(function () { showLogin(); });
})();
