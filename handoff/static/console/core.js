// What every panel of the console shares: the page's state, the API call, small DOM helpers.
// All texts go in with textContent (never as HTML).

// What the page shows is decided by the API: the words for each code come with the canned replies
// (GET /api/quick-replies, handoff/console/vocabulary.py), the actions allowed on each case in its
// "allowed" list and those of the signed-in user in /api/me (handoff/permissions.py).
// One object, so that every module reads the value of now (me, options, the open case).
export const state = { me: null, options: null, current: null };

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

// A select's choices after its first ("Tất cả"), from a vocabulary.
export function fillSelect(select, words) {
  while (select.options.length > 1) select.remove(1);
  Object.keys(words).forEach((k) => { const o = el("option", "", words[k]); o.value = k; select.appendChild(o); });
}

// An error shown under the open case (role=alert, so a screen reader hears it).
export function chatError(e) { $("chat-error").textContent = e ? e.message : ""; }
