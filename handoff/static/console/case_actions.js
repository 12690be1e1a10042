// The steps on the open case from its header: claim, reveal the contact, take over, transfer or
// reassign, close (with the contact's record, the form of a logged call), restrict the sender.
// Each dialog starts clean for the case it is opened on: nothing ticked or typed for one person is
// ever offered again for another (issue 16).
import { $, api, chatError, el, may, state, word } from "./core.js";
import { openDialog } from "./dialogs.js";
import { fillRecord, readRecord, resetRecord } from "./record_form.js";
import { fillCaseChoices } from "./case_list.js";
import { leaveConversation, openConversation } from "./conversation.js";
import { refresh, team } from "./sidebar.js";

const current = () => state.current;
const post = (step, body) => api("POST", "/api/conversations/" + current().id + "/" + step, body || {});
const reopen = () => openConversation(current().id);

$("claim-btn").addEventListener("click", () => {
  post("claim").then(() => { refresh(); return reopen().then(() => $("reply-text").focus()); })
    .catch((e) => { chatError(e); refresh(); });
});
// The unmasked number or channel id, only on request: each look is written to the audit log.
$("contact-btn").addEventListener("click", () => {
  post("contact").then((data) => { $("chat-title").textContent = word("channels", data.channel) + " " + data.sender; })
    .catch(chatError);
});
// Supervisors: take a live case over.
$("takeover-btn").addEventListener("click", () => {
  post("takeover").then(() => { reopen(); refresh(); }).catch(chatError);
});

// --- close: the contact's record (record_form.js), reset at every opening; the province the
// person named is chosen already, and the contact may join a case -----------------------------
const closeBox = () => $("close-form").querySelector(".record");

export function fillCloseChoices(options) {
  // every outcome a counsellor may choose ("Không cần tư vấn" included; "abusive" is a burst's mark)
  fillRecord(closeBox(), options, Object.keys(options.outcomes).filter((k) => k !== "abusive"));
}

// The province named in the latest contact (the gateway's "place" events), else in any before it.
function namedProvince(c) {
  const latest = c.contacts.length ? c.contacts[c.contacts.length - 1].id : null;
  const places = (c.events || []).filter((e) => e.kind === "place" && e.detail && e.detail.province);
  const own = places.filter((e) => e.contact_id === latest);
  const pick = (own.length ? own : places).slice(-1)[0];
  return pick ? pick.detail.province : null;
}

let closingCase = null;  // the case the contact already belongs to, if any
$("close-btn").addEventListener("click", () => {
  const c = current();
  resetRecord(closeBox(), namedProvince(c));
  const latest = c.contacts.length ? c.contacts[c.contacts.length - 1] : null;
  closingCase = latest && latest.case_id ? String(latest.case_id) : "";
  $("close-case-field").hidden = !may("case.update", state.me);
  fillCaseChoices($("close-case"), { none: "Không gắn", selected: closingCase });
  $("close-error").textContent = "";
  openDialog($("close-dialog"));
});
$("close-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const body = readRecord(closeBox());
  const chosen = $("close-case").value;
  if (chosen && chosen !== closingCase) body.case_id = Number(chosen);
  post("close", body)
    .then(() => { $("close-dialog").close("ok"); reopen(); refresh(); })
    .catch((e) => { $("close-error").textContent = e.message; });
});

// --- transfer (mine) or reassign (supervisors) ---------------------------------------------
let reassigning = false;
$("reassign-btn").addEventListener("click", () => { reassigning = true; openTransfer(); });
$("transfer-btn").addEventListener("click", () => { reassigning = false; openTransfer(); });
function openTransfer() {
  // Counsellors online first (a warm hand-over is what a transfer is for); the queue last, never
  // the default; supervisors take a case over from the whole line, they are not transfer targets.
  const select = $("transfer-target"); select.textContent = "";
  team().forEach((c) => {
    if (c.username === (reassigning ? current().counsellor : state.me.username) || c.presence !== "online") return;
    if (c.role === "supervisor") return;
    const o = el("option", "", c.display_name + " (" + c.load + "/" + c.capacity + ")"); o.value = c.username; select.appendChild(o);
  });
  if (!reassigning) { const back = el("option", "", "Trả lại hàng chờ"); back.value = ""; select.appendChild(back); }
  $("transfer-note").parentNode.hidden = reassigning;
  $("transfer-error").textContent = ""; $("transfer-note").value = "";
  openDialog($("transfer-dialog"), select);
}
$("transfer-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const target = $("transfer-target").value || null;
  const chosen = $("transfer-target").selectedOptions[0];
  const label = chosen ? chosen.textContent.replace(/ \(.*\)$/, "") : "";
  const call = reassigning ? post("reassign", { to: target }) : post("transfer", { to: target, note: $("transfer-note").value });
  call.then(() => {
    if (reassigning) reopen();
    else leaveConversation(target ? "Đã chuyển cuộc trò chuyện cho " + label + "." : "Đã trả cuộc trò chuyện về hàng chờ.");
    $("transfer-dialog").close("ok");
    refresh();
  }).catch((e) => { $("transfer-error").textContent = e.message; });
});

// --- restricting an abusive sender: the reason is required, the person is told, danger still
// gets through ---------------------------------------------------------------------------------
$("block-btn").addEventListener("click", () => {
  if (current().blocked_until) { post("block", { unblock: true }).then(reopen).catch(chatError); return; }
  $("block-reason").value = ""; $("block-hours").value = "24"; $("block-error").textContent = "";
  openDialog($("block-dialog"), $("block-reason"));
});
$("block-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const reason = $("block-reason").value.trim(), hours = Number($("block-hours").value);
  if (!reason || !(hours > 0)) { $("block-error").textContent = "Hãy ghi lý do và số giờ (lớn hơn 0)."; return; }
  post("block", { hours, reason }).then(() => { $("block-dialog").close("ok"); reopen(); })
    .catch((e) => { $("block-error").textContent = e.message; });
});
