// One conversation: its header (who, why, the intake's answers), the buttons the API allows on it,
// and the transcript, kept in order as messages and the case's steps arrive.
import { $, ago, api, chatError, el, may, showView, state, time, word } from "./core.js";
import { markUnread, opened, unreadOf } from "./cues.js";
import { forgetDraft, switchDraft } from "./composer.js";
import { showReferrals } from "./referrals.js";
import { showReview } from "./review.js";
import { showCaseLink } from "./case_link.js";

let lastId = 0, shown = {}, provisional = {};

// Each button is there when the API says this user may do it to this case.
const BUTTONS = [["claim-btn", "conversation.claim"], ["transfer-btn", "conversation.transfer"],
  ["close-btn", "conversation.close"], ["reply-form", "conversation.message"],
  ["contact-btn", "conversation.contact"], ["takeover-btn", "conversation.take_over"],
  ["reassign-btn", "conversation.reassign"], ["review-form", "conversation.review"],
  ["block-btn", "conversation.block"], ["refer-btn", "conversation.refer"]];

// A case handed on is no longer mine: its view closes with a word of what happened, instead of a
// reply box that would only answer "not found".
export function leaveConversation(notice) {
  if (state.current) forgetDraft(state.current.id);
  state.current = null; $("reply-text").value = ""; $("chat").hidden = true; $("empty").hidden = false;
  $("empty").textContent = notice;
}

// Opens (or draws again) a case. ``how.contact``: the contact a review is for (a search result's);
// ``how.focus``: move focus to the case (a person chose it, not a live redraw); it takes the place
// of a case's page if one was open.
export function openConversation(id, how) {
  how = how || {};
  if (how.focus) { showView("chat"); state.case = null; }
  if (unreadOf(id)) markUnread(id, 0);
  const switching = !state.current || state.current.id !== id;
  if (switching) { switchDraft(id); lastId = 0; shown = {}; provisional = {}; $("transcript").textContent = ""; }
  return api("GET", "/api/conversations/" + id + "?after=0").then((c) => {
    state.current = c; lastId = 0; shown = {}; provisional = {}; $("transcript").textContent = "";
    // Opening a case given to me is my acknowledgement: it stays mine (handoff/watchdog.py).
    if (c.ack_deadline && may("conversation.ack", c)) {
      api("POST", "/api/conversations/" + id + "/ack", {}).then(() => { c.ack_deadline = null; opened(id); }).catch(() => {});
    }
    $("empty").hidden = true; $("chat").hidden = false; chatError(null);
    showHeader(c);
    BUTTONS.forEach((b) => { $(b[0]).hidden = !may(b[1], c); });
    showReferrals(c);
    showReview(c, how.contact);
    showCaseLink(c);
    addMessages(c.messages); addEvents(c.events);
    document.querySelectorAll("button.case").forEach((n) => {
      n.classList.toggle("selected", n.dataset.id === id);
      if (n.dataset.id === id) n.setAttribute("aria-current", "true"); else n.removeAttribute("aria-current");
    });
    // Focus on the case when it was chosen; when the focused button was hidden by the change
    // (claimed, closed), on its transcript rather than lost on the page.
    const focused = document.activeElement;
    if (how.focus) $("chat-title").focus();
    else if (!focused || focused === document.body || focused.getClientRects().length === 0) $("transcript").focus();
  }).catch(chatError);
}

function showHeader(c) {
  $("chat-priority").className = "badge " + c.priority; $("chat-priority").textContent = word("priorities", c.priority);
  $("chat-title").textContent = word("channels", c.channel) + " " + c.sender;
  $("chat-meta").textContent = " · " + word("states", c.state) + (c.counsellor ? " · " + c.counsellor : "")
    + (c.state === "queued" ? " · chờ " + ago(c.wait_s) : "")
    + (c.contacts_so_far > 1 ? " · đã liên hệ " + c.contacts_so_far + " lần" : "")
    + (c.blocked_until ? " · đang bị hạn chế" : "")
    + (c.language_name ? " · viết bằng " + c.language_name : "")
    // The store away (handoff/spool.py): only what was written since shows until it is back.
    + (c.on_record === false ? " · hồ sơ tạm chưa đọc được, chỉ hiện tin nhắn mới" : "");
  const why = c.reasons.map((r) => word("reasons", r)).join(", ");
  $("chat-reasons").textContent = why || c.trigger ? "Lý do chuyển: "
    + [why, c.trigger ? "chuyển bởi " + word("triggers", c.trigger) : ""].filter(Boolean).join(" · ") : "";
  const intake = c.intake, parts = [];
  if (intake.location) parts.push("Đang ở: " + intake.location);
  if (intake.safe_now) parts.push("Điện thoại: " + intake.safe_now);  // the answer's meaning (handoff/intake.py)
  if (intake.contact) parts.push("Liên hệ an toàn: " + intake.contact);
  if (intake.do_not_contact) parts.push("KHÔNG LIÊN HỆ LẠI");
  $("chat-intake").textContent = parts.join(" · ");
  $("block-btn").textContent = c.blocked_until ? "Bỏ hạn chế" : "Hạn chế người gửi";
}

export function loadMessages() {
  api("GET", "/api/conversations/" + state.current.id + "?after=" + lastId).then((c) => addMessages(c.messages));
}

export function addMessages(messages) {
  const list = $("transcript"), current = state.current;
  const trigger = current && current.contacts.length ? current.contacts[current.contacts.length - 1].trigger_message_id : null;
  messages.forEach((m) => {
    if (shown[m.id]) return;  // the live line and a catch-up may both bring it
    shown[m.id] = true; lastId = Math.max(lastId, m.id);
    // Written while the store was away, a message has a negative id until SQL takes it
    // (handoff/spool.py); when it comes back with its real id, the line shown already takes it.
    const same = m.role + "|" + m.created_at + "|" + m.text, waiting = provisional[same];
    if (m.id > 0 && waiting) { waiting.dataset.id = m.id; delete provisional[same]; return; }
    const li = el("li", "msg " + m.role + (m.id === trigger ? " trigger" : ""));
    li.dataset.id = m.id; li.dataset.t = m.created_at;
    li.appendChild(el("span", "who", word("roles", m.role) + (m.author ? " · " + m.author : "") + " · " + time(m.created_at)));
    li.appendChild(document.createTextNode(m.text));
    // Two gateways writing at once may publish out of order: each message goes to its place.
    let before = null;  // a provisional message is the newest: it goes last
    for (let n = list.lastElementChild; m.id > 0 && n && Number(n.dataset.id) > m.id; n = n.previousElementSibling) before = n;
    list.insertBefore(li, before);
    if (m.id < 0) provisional[same] = li;
  });
  list.scrollTop = list.scrollHeight;
}

// The steps of the case (claimed, transferred, returned, closed…) in the transcript, at their time.
const SYSTEM_ACTORS = ["", "system", "watchdog", "bot", "user", "gateway", "urgency", "human_request",
  "misunderstood", "follow_up", "language", "nlu"];  // the triggers that queue a case, too
function addEvents(events) {
  const list = $("transcript");
  (events || []).forEach((e) => {
    if (!state.options.events[e.kind] || shown["e" + e.id]) return;
    shown["e" + e.id] = true;
    const li = el("li", "msg event");
    li.dataset.t = e.at;
    const who = SYSTEM_ACTORS.indexOf(e.actor || "") >= 0 ? "" : e.actor + " ";
    li.appendChild(el("span", "who", "Diễn biến · " + time(e.at)));
    li.appendChild(document.createTextNode(who + word("events", e.kind)));
    let after = null;
    for (let n = list.firstElementChild; n; n = n.nextElementSibling) {
      if (Number(n.dataset.t) > e.at) { after = n; break; }
    }
    list.insertBefore(li, after);
  });
}
