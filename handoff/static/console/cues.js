// Cues for what must not be missed: unread counts on my chats and in the title, and for a critical
// case a short tone and a blinking title until the page is looked at.
import { $, el, state, word } from "./core.js";

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

// A case assigned or transferred to me that I have not opened: a notice that asks for it, with the
// time left before it goes back to the queue (its acknowledgement clock), and a tone if critical.
let unopened = [], ackTimer = null;
const announced = {};

export function setUnopened(cases, open) {
  unopened = cases.filter((c) => c.ack_deadline && !(state.current && state.current.id === c.id));
  unopened.forEach((c) => {
    if (!announced[c.id] && c.effective_priority === "critical") criticalAlert();
    announced[c.id] = true;
  });
  $("ack-open").onclick = () => { if (unopened.length) open(unopened[0].id); };
  drawAckNotice();
  if (unopened.length && !ackTimer) ackTimer = setInterval(drawAckNotice, 1000);
}

// Opened (so acknowledged): no longer asked for.
export function opened(id) { unopened = unopened.filter((c) => c.id !== id); drawAckNotice(); }

function drawAckNotice() {
  const first = unopened[0];
  if (!first) { $("ack-notice").hidden = true; clearInterval(ackTimer); ackTimer = null; return; }
  const left = Math.max(0, Math.round(first.ack_deadline - Date.now() / 1000));
  $("ack-text").textContent = "Bạn vừa được giao "
    + (unopened.length > 1 ? unopened.length + " cuộc trò chuyện" : "một cuộc trò chuyện")
    + " (" + word("priorities", first.effective_priority) + ", " + word("channels", first.channel) + "). Hãy mở trong "
    + Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0") + ", nếu không cuộc này sẽ trở lại hàng chờ.";
  $("ack-notice").hidden = false;
}
