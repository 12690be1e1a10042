// Transcript review for supervisors: find contacts, open one, mark it. A review is for one contact
// (one escalation of a conversation): the form names it, starts clean for each, and saves on the
// contact it was opened for, never on whichever is the conversation's newest (issue 16).
import { $, api, dateTime, el, may, state, word } from "./core.js";
import { openConversation } from "./conversation.js";
import { caseButton } from "./sidebar.js";

let reviewing = null;  // {conversation, contact}: what the form's fields were typed for

function clearFields() {
  $("review-score").value = ""; $("review-tags").value = ""; $("review-follow-up").checked = false;
  $("review-note").value = ""; $("review-status").textContent = "";
}

function contactLabel(k) {
  const outcome = k.closed_at ? k.outcomes.map((o) => word("outcomes", o)).join(", ") || "đã kết thúc" : "đang mở";
  return dateTime(k.queued_at) + " · " + word("priorities", k.priority) + " · " + outcome;
}

function showSaved(c, contact) {
  const n = (c.reviews || []).filter((r) => r.contact_id === contact).length;
  $("review-status").textContent = n ? "Lần tiếp nhận này đã có " + n + " đánh giá." : "";
}

// On every drawing of a case: ``contact`` when one was chosen (a search result), else the one the
// form is on for this conversation, else its newest.
export function showReview(c, contact) {
  if (!may("conversation.review", c) || !c.contacts.length) { reviewing = null; return; }
  const select = $("review-contact");
  const same = reviewing && reviewing.conversation === c.id;
  const target = contact || (same ? reviewing.contact : c.contacts[c.contacts.length - 1].id);
  select.textContent = "";
  c.contacts.slice().reverse().forEach((k) => {
    const o = el("option", "", contactLabel(k)); o.value = String(k.id); select.appendChild(o);
  });
  select.value = String(target);
  if (!same || reviewing.contact !== target) clearFields();
  reviewing = { conversation: c.id, contact: target };
  showSaved(c, target);
}
$("review-contact").addEventListener("change", () => {
  reviewing = { conversation: state.current.id, contact: Number($("review-contact").value) };
  clearFields(); showSaved(state.current, reviewing.contact);
});

$("review-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const tags = $("review-tags").value.split(",").map((t) => t.trim()).filter(Boolean);
  api("POST", "/api/conversations/" + state.current.id + "/review", { contact: reviewing.contact,
    score: $("review-score").value ? Number($("review-score").value) : null, tags,
    follow_up: $("review-follow-up").checked, note: $("review-note").value })
    .then(() => { $("review-status").textContent = "Đã lưu đánh giá."; })
    .catch((e) => { $("review-status").textContent = e.message; });
});

$("search-form").addEventListener("submit", (event) => {
  event.preventDefault();
  let q = "from=" + $("search-from").value + "&to=" + $("search-to").value;
  [["urgency", "search-urgency"], ["outcome", "search-outcome"], ["counsellor", "search-counsellor"],
   ["place", "search-place"]].forEach((f) => {
    if ($(f[1]).value.trim()) q += "&" + f[0] + "=" + encodeURIComponent($(f[1]).value.trim());
  });
  api("GET", "/api/conversations?" + q).then((data) => {
    const list = $("search-results"); list.textContent = "";
    $("search-summary").textContent = data.results.length ? "Tìm thấy " + data.results.length + " lần tiếp nhận." : "Không tìm thấy.";
    data.results.forEach((r) => {
      const outcomes = r.outcomes.map((o) => word("outcomes", o)).join(", ") || "đang mở";
      const li = caseButton(r.conversation, r.priority,
        [el("span", "", word("channels", r.channel)), el("span", "muted", dateTime(r.queued_at))],
        outcomes + (r.counsellor ? " · " + r.counsellor : ""),
        () => openConversation(r.conversation, { contact: r.contact, focus: true }));
      li.firstChild.dataset.contact = r.contact;
      list.appendChild(li);
    });
  }).catch((e) => { $("search-summary").textContent = e.message; });
});
