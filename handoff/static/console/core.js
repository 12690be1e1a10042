// What every panel of the console shares: the page's state, the API call, small DOM helpers.
// All texts go in with textContent (never as HTML).

// What the page shows is decided by the API: the words for each code come with the canned replies
// (GET /api/quick-replies, handoff/console/vocabulary.py), the actions allowed on each case in its
// "allowed" list and those of the signed-in user in /api/me (handoff/permissions.py).
// One object, so that every module reads the value of now (me, options, the open case).
// ``current``: the open conversation; ``case``: the case whose page is open (case_page.js).
export const state = { me: null, options: null, current: null, case: null };

export const $ = (id) => document.getElementById(id);

let onSignedOut = () => {};
// The sign-in view registers itself here; core stays at the bottom of the imports.
export function whenSignedOut(handler) { onSignedOut = handler; }

export function api(method, path, body) {
  const headers = { "Content-Type": "application/json" };
  if (state.me && method !== "GET") headers["X-CSRF-Token"] = state.me.csrf;
  return fetch(path, { method, headers, credentials: "same-origin",
                       body: body === undefined ? undefined : JSON.stringify(body) })
    .then((r) => r.json().catch(() => ({})).then((data) => {
      if (r.status === 401 && path !== "/api/login") onSignedOut();
      if (!r.ok) { const e = new Error(data.message || "Có lỗi, hãy thử lại."); e.code = data.error; throw e; }
      return data;
    }));
}

export function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined) node.textContent = text;
  return node;
}

export function ago(seconds) {
  if (seconds < 60) return seconds + " giây";
  const m = Math.floor(seconds / 60);
  return m < 60 ? m + " phút" : Math.floor(m / 60) + " giờ " + (m % 60) + " phút";
}

// The words for a code (vocabulary: "priorities", "channels", ...), or the code itself.
export function word(vocabulary, code) {
  const words = state.options && state.options[vocabulary];
  return words && words[code] !== undefined ? words[code] : code;
}

// Whether the API lists this action for this case (or for the signed-in user).
export function may(action, on) { return !!on && on.allowed.indexOf(action) >= 0; }

export function time(ts) {
  return new Date(ts * 1000).toLocaleTimeString("vi-VN", { hour: "2-digit", minute: "2-digit" });
}
export function dateTime(ts) { return new Date(ts * 1000).toLocaleString("vi-VN"); }

// The hotline's clock is Vietnam's, whatever the laptop's zone (cases, calls, follow-ups).
const ZONE = "Asia/Ho_Chi_Minh";
export function vnDateTime(ts) {
  return new Date(ts * 1000).toLocaleString("vi-VN", { timeZone: ZONE, hour: "2-digit", minute: "2-digit",
                                                       day: "2-digit", month: "2-digit", year: "numeric" });
}
// Vietnam's wall clock at ``ms`` as a datetime-local value: YYYY-MM-DDTHH:MM.
export function vnLocal(ms) {
  const p = {};
  new Intl.DateTimeFormat("en-GB", { timeZone: ZONE, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit",
                                     minute: "2-digit", hourCycle: "h23" }).formatToParts(new Date(ms))
    .forEach((x) => { p[x.type] = x.value; });
  return p.year + "-" + p.month + "-" + p.day + "T" + p.hour + ":" + p.minute;
}
// Today in Vietnam (YYYY-MM-DD), or ``days`` later.
export function vnDate(days) { return vnLocal(Date.now() + (days || 0) * 86400000).slice(0, 10); }
// A YYYY-MM-DD date as Vietnamese write it: 05/12/2026.
export function dayText(iso) { return iso ? iso.slice(8, 10) + "/" + iso.slice(5, 7) + "/" + iso.slice(0, 4) : ""; }

// A select's choices after its first ("Tất cả"), from a vocabulary: code -> words, or a list of
// names that are their own codes (provinces).
export function fillSelect(select, words) {
  while (select.options.length > 1) select.remove(1);
  const pairs = Array.isArray(words) ? words.map((w) => [w, w]) : Object.keys(words).map((k) => [k, words[k]]);
  pairs.forEach((p) => { const o = el("option", "", p[1]); o.value = p[0]; select.appendChild(o); });
}

// A list drawn again with ``items`` (each focusable part with a ``data-key``), unless nothing
// changed (``same``: what it shows, as a string); focus stays on the part the keyboard was on.
const drawnAs = new WeakMap();
export function redraw(list, items, same) {
  if (same !== undefined && drawnAs.get(list) === same) return;
  drawnAs.set(list, same);
  const focused = list.contains(document.activeElement) ? document.activeElement.dataset.key : null;
  list.replaceChildren(...items);
  const again = focused && list.querySelector('[data-key="' + focused + '"]');
  if (again) again.focus();
}

// The main area shows a conversation (or the notice in its place) or a case's page.
export function showView(name) { document.querySelector(".layout").dataset.view = name; }
export function viewing(name) { return (document.querySelector(".layout").dataset.view || "chat") === name; }

// A short word of what just happened, in the header (role=status: a screen reader hears it).
let notifyTimer = null;
export function notify(text) {
  $("top-status").textContent = text;
  clearTimeout(notifyTimer);
  notifyTimer = setTimeout(() => { $("top-status").textContent = ""; }, 8000);
}

// An error shown under the open case (role=alert, so a screen reader hears it).
export function chatError(e) { $("chat-error").textContent = e ? e.message : ""; }
