// The reply box: a draft per conversation, canned replies inserted at the cursor, the private-note
// mode, and sending.
import { $, api, chatError, el, state } from "./core.js";
import { confirmDialog } from "./dialogs.js";
import { addMessages } from "./conversation.js";

// Each conversation keeps its own draft: words meant for one person never wait in the box for
// another. The open chat and the drafts survive a reload of this tab (sessionStorage: this tab
// only, gone when it closes or on sign-out), so a reload mid-reply loses nothing.
const TAB_STATE = "hotline-console";
export const saved = JSON.parse(sessionStorage.getItem(TAB_STATE) || "{}");
const drafts = saved.drafts || {};

function saveTab() {
  if (state.current) drafts[state.current.id] = $("reply-text").value;
  sessionStorage.setItem(TAB_STATE, JSON.stringify({ open: state.current ? state.current.id : null, drafts }));
}
export function forgetTab() { sessionStorage.removeItem(TAB_STATE); }
window.addEventListener("pagehide", saveTab);
$("reply-text").addEventListener("input", saveTab);

export function switchDraft(id) {
  if (state.current) drafts[state.current.id] = $("reply-text").value;
  $("reply-text").value = drafts[id] || "";
  $("as-note").checked = false; showNoteMode();
}
export function forgetDraft(id) { delete drafts[id]; }

export function fillQuickReplies(replies) {
  const quick = $("quick");
  while (quick.options.length > 1) quick.remove(1);
  replies.forEach((q) => { const o = el("option", "", q.title); o.value = q.text; quick.appendChild(o); });
}

// A quick reply goes in at the cursor (replacing a selection), never over a half-written draft.
// Chosen on "change": a mouse pick, or Enter / Alt+↓ then Enter on the keyboard.
$("quick").addEventListener("change", function () {
  if (!this.value) return;
  const box = $("reply-text"), start = box.selectionStart, end = box.selectionEnd;
  const before = box.value.slice(0, start), gap = before && !/\s$/.test(before) ? " " : "";
  box.setRangeText(gap + this.value, start, end, "end");
  this.value = "";
  box.focus();
  saveTab();
});

// Note mode says so: the button, the placeholder and the box's colour change with the checkbox.
function showNoteMode() {
  const note = $("as-note").checked;
  $("reply-form").classList.toggle("note-mode", note);
  $("send-btn").textContent = note ? "Lưu ghi chú" : "Gửi";
  $("reply-text").placeholder = note ? "Ghi chú nội bộ: chỉ đội tư vấn thấy, không gửi cho người dùng…"
                                     : "Nhập tin nhắn gửi người dùng…";
}
$("as-note").addEventListener("change", showNoteMode);

function sendReply(text, confirmed) {
  $("send-btn").disabled = true;
  return api("POST", "/api/conversations/" + state.current.id + "/messages",
             { text, kind: $("as-note").checked ? "note" : "reply", confirmed_safe_contact: confirmed })
    .then((data) => {
      $("reply-text").value = ""; $("as-note").checked = false; showNoteMode(); addMessages([data.message]); saveTab();
    })
    .catch((e) => {
      // A follow-up long after the person last wrote: show their safe-contact answer first.
      if (e.code === "confirm_safe_contact") {
        return confirmDialog(e.message, "Vẫn gửi").then((yes) => { if (yes) return sendReply(text, true); });
      }
      chatError(e);
    })
    .finally(() => { $("send-btn").disabled = false; });
}
$("reply-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const text = $("reply-text").value.trim();
  if (text) sendReply(text, false);
});
$("reply-text").addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); $("reply-form").requestSubmit(); }
});
