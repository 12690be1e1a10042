// Cues for what must not be missed: unread counts on my chats and in the title, and for a critical
// case a short tone and a blinking title until the page is looked at.
import { el } from "./core.js";

const baseTitle = document.title;
let titleTimer = null;
// Messages in my chats that I have not seen (the chat not open, or the page not looked at), by
// conversation id; and the priority of each chat I hold (a critical one also sounds).
const unread = {};
export let minePriority = {};

export function setMine(cases) {
  minePriority = {};
  cases.forEach((c) => { minePriority[c.id] = c.effective_priority; });
  Object.keys(unread).forEach((id) => { if (!(id in minePriority)) markUnread(id, 0); });
}

export function unreadOf(id) { return unread[id] || 0; }

function plainTitle() {
  const total = Object.keys(unread).reduce((n, id) => n + unread[id], 0);
  return (total ? "(" + total + ") " : "") + baseTitle;
}

export function markUnread(id, count) {
  if (count) unread[id] = count; else delete unread[id];
  if (!titleTimer) document.title = plainTitle();
  const entry = document.querySelector('#mine .case[data-id="' + id + '"]');
  if (entry) showUnread(entry, id);
}

// The "n tin mới" badge on an entry of my chats.
export function showUnread(entry, id) {
  let badge = entry.querySelector(".unread");
  if (!unread[id]) { if (badge) badge.remove(); return; }
  if (!badge) { badge = el("span", "badge unread"); entry.querySelector(".line").appendChild(badge); }
  badge.textContent = unread[id] + " tin mới";
}

export function criticalAlert() {
  try {
    const ctx = new (window.AudioContext || window.webkitAudioContext)();
    [0, 0.35].forEach((at) => {
      const osc = ctx.createOscillator(), gain = ctx.createGain();
      osc.frequency.value = 880; osc.connect(gain); gain.connect(ctx.destination);
      gain.gain.setValueAtTime(0.2, ctx.currentTime + at);
      osc.start(ctx.currentTime + at); osc.stop(ctx.currentTime + at + 0.25);
    });
  } catch (e) { /* no sound device: the title still blinks */ }
  if (titleTimer) return;
  let on = false;
  titleTimer = setInterval(() => {
    on = !on; document.title = on ? "🔴 KHẨN CẤP – " + baseTitle : plainTitle();
    if (document.hasFocus() && !on) { clearInterval(titleTimer); titleTimer = null; }
  }, 800);
}
