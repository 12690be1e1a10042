// Every dialog of the console opens and closes the same way (issue 16): focus goes into it, Escape
// cancels (the browser's own <dialog> behaviour), and focus comes back to what opened it, so that
// someone working by keyboard never loses their place. No window.prompt or window.confirm: those
// cannot be labelled, styled or tested, and block the live line while they are open.
import { $, viewing } from "./core.js";

const openers = new WeakMap();
const FIELDS = "input:not([type=hidden]):not([disabled]), select, textarea, button:not([disabled])";

// Where focus goes when the opener has gone (a redrawn list, a hidden button): the open case's
// transcript, else the notice that takes its place; on a case's page, its title.
function fallback() {
  if (viewing("case")) return $("case-title");
  return $("chat").hidden ? $("empty") : $("transcript");
}

function visible(node) { return node && node.isConnected && node.getClientRects().length > 0; }

export function restoreFocus(node) { (visible(node) ? node : fallback()).focus(); }

// Opens ``dialog`` modally and moves focus to ``first`` (or its first field).
export function openDialog(dialog, first) {
  openers.set(dialog, document.activeElement);
  dialog.showModal();
  (first || dialog.querySelector("[autofocus]") || dialog.querySelector(FIELDS)).focus();
}

// Each dialog, once: focus back on close, however it closes (a button, Escape, a done step).
// Any <button data-close> inside it closes it as "cancel".
document.querySelectorAll("dialog").forEach((dialog) => {
  dialog.addEventListener("close", () => restoreFocus(openers.get(dialog)));
  dialog.querySelectorAll("button[data-close]").forEach((b) => b.addEventListener("click", () => dialog.close("cancel")));
});

// A question with a yes and a no, in place of window.confirm: resolves true on yes.
export function confirmDialog(question, yes) {
  const dialog = $("confirm-dialog");
  $("confirm-text").textContent = question;
  $("confirm-yes").textContent = yes || "Đồng ý";
  dialog.returnValue = "";
  openDialog(dialog, $("confirm-no"));  // the safe answer has focus: Enter never confirms by accident
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "yes"), { once: true });
  });
}
$("confirm-yes").addEventListener("click", () => $("confirm-dialog").close("yes"));
