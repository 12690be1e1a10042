// Referrals to rescue and support partners: a short summary, never the transcript. The list on the
// case with each referral's status, and the dialogs that create one and record how it ended.
import { $, api, chatError, el, may, state, word } from "./core.js";
import { openDialog } from "./dialogs.js";
import { openConversation } from "./conversation.js";

const reopen = () => openConversation(state.current.id);

// Drawn again only when they changed: a live redraw of the case must not pull a status list out
// from under the keyboard (or a half-made choice).
let drawn = "";
export function showReferrals(c) {
  const refs = $("chat-referrals");
  const now = JSON.stringify([c.id, may("referral.update", c), c.referrals || []]);
  if (now === drawn) return;
  drawn = now; refs.textContent = "";
  (c.referrals || []).forEach((r) => {
    const partner = (state.options && state.options.partners[r.partner] || {}).name || r.partner;
    const li = el("li", "", "Chuyển tuyến tới " + partner + ": ");
    if (!may("referral.update", c)) { li.appendChild(el("span", "", word("referral_statuses", r.status))); refs.appendChild(li); return; }
    const select = el("select");
    select.setAttribute("aria-label", "Trạng thái chuyển tuyến tới " + partner);
    const statuses = (state.options && state.options.referral_statuses) || {};
    Object.keys(statuses).forEach((st) => {
      const o = el("option", "", statuses[st]); o.value = st; o.selected = st === r.status; select.appendChild(o);
    });
    select.addEventListener("change", () => {
      if (select.value === "closed") askOutcome(r.id); else update(r.id, select.value, "");
    });
    li.appendChild(select);
    if (r.outcome) li.appendChild(el("span", "muted", " · " + r.outcome));
    refs.appendChild(li);
  });
}

function update(id, status, outcome) {
  return api("POST", "/api/referrals/" + id, { status, outcome })
    .then(reopen).catch((e) => { chatError(e); drawn = ""; reopen(); });
}

// Closing a referral asks how it ended (in place of window.prompt); cancelling keeps the status.
let closing = null;
function askOutcome(id) {
  closing = id;
  $("referral-outcome").value = ""; $("referral-outcome-error").textContent = "";
  openDialog($("referral-outcome-dialog"), $("referral-outcome"));
  $("referral-outcome-dialog").addEventListener("close", () => {
    if ($("referral-outcome-dialog").returnValue !== "ok") { closing = null; drawn = ""; reopen(); }
  }, { once: true });
}
$("referral-outcome-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const id = closing;
  api("POST", "/api/referrals/" + id, { status: "closed", outcome: $("referral-outcome").value.trim() })
    .then(() => { $("referral-outcome-dialog").close("ok"); closing = null; reopen(); })
    .catch((e) => { $("referral-outcome-error").textContent = e.message; });
});

// A new referral: the partner, a short situation, what the partner needs, and the consent.
$("refer-btn").addEventListener("click", () => {
  const select = $("refer-partner"), c = state.current; select.textContent = "";
  Object.keys(state.options.partners).forEach((id) => {
    const p = state.options.partners[id];
    const o = el("option", "", word("referral_kinds", p.kind) + " – " + p.name); o.value = id; select.appendChild(o);
  });
  // Clean for this case: only what this person's intake said is filled in.
  $("refer-situation").value = ""; $("refer-age").value = "";
  $("refer-location").value = c.intake.location || ""; $("refer-contact").value = c.intake.contact || "";
  document.querySelector("input[name=refer-consent][value=yes]").checked = true;
  $("refer-text").textContent = ""; $("refer-error").textContent = "";
  openDialog($("refer-dialog"), select);
});
$("refer-dialog").addEventListener("close", () => { if (state.current) reopen(); });
$("refer-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const consent = document.querySelector("input[name=refer-consent]:checked").value;
  api("POST", "/api/conversations/" + state.current.id + "/referrals", {
    partner: $("refer-partner").value, situation: $("refer-situation").value, location: $("refer-location").value,
    age: $("refer-age").value, contact: $("refer-contact").value, consent: consent === "yes" ? true : "emergency",
  }).then((data) => { $("refer-text").textContent = data.text; })
    .catch((e) => { $("refer-error").textContent = e.message; });
});
