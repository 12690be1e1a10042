// The open chat and cases: "Mở hồ sơ" makes a case of its latest contact, "Gắn vào hồ sơ" adds that
// contact to a case I work on, and once it is in one "Xem hồ sơ" opens that case's page.
import { $, api, may, state } from "./core.js";
import { openDialog } from "./dialogs.js";
import { fillCaseChoices, refreshCases } from "./case_list.js";
import { openCase } from "./case_page.js";
import { openConversation } from "./conversation.js";

const latest = (c) => (c.contacts.length ? c.contacts[c.contacts.length - 1] : null);

// On every drawing of a conversation: which of the three buttons it has.
export function showCaseLink(c) {
  const contact = latest(c);
  const inCase = c.contacts.filter((k) => k.case_id).slice(-1)[0];
  const free = !!contact && !contact.case_id;
  $("case-new-btn").hidden = !(free && may("case.create", state.me));
  $("case-attach-btn").hidden = !(free && may("case.update", state.me));
  $("case-show-btn").hidden = !(inCase && may("case.read", state.me));
  $("case-show-btn").dataset.case = inCase ? inCase.case_id : "";
}

let creating = true;  // the dialog's mode: a new case, or an existing one
function openLink(create) {
  creating = create;
  $("case-link-title").textContent = create ? "Mở hồ sơ" : "Gắn vào hồ sơ";
  $("case-link-confirm").textContent = create ? "Mở hồ sơ" : "Gắn vào hồ sơ";
  $("case-link-hint").textContent = create
    ? "Hồ sơ gom các lần liên hệ về cùng một người hoặc một sự việc. Đặt tên ngắn, không ghi số điện thoại."
    : "Lần liên hệ này sẽ được thêm vào hồ sơ bạn chọn.";
  $("case-link-name-field").hidden = !create; $("case-link-case-field").hidden = create;
  $("case-link-name").value = ""; $("case-link-error").textContent = "";
  if (!create) fillCaseChoices($("case-link-case"), {});
  openDialog($("case-link-dialog"), create ? $("case-link-name") : $("case-link-case"));
}
$("case-new-btn").addEventListener("click", () => openLink(true));
$("case-attach-btn").addEventListener("click", () => openLink(false));
$("case-show-btn").addEventListener("click", () => openCase(Number($("case-show-btn").dataset.case), { focus: true }));

$("case-link-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const c = state.current, contact = latest(c);
  let step;
  if (creating) {
    const title = $("case-link-name").value.trim();
    if (!title) { $("case-link-error").textContent = "Hãy đặt tên ngắn cho hồ sơ."; $("case-link-name").focus(); return; }
    step = api("POST", "/api/cases", { title, contact_id: contact.id }).then((data) => data.case.id);
  } else {
    const id = Number($("case-link-case").value);
    if (!id) { $("case-link-error").textContent = "Hãy chọn một hồ sơ."; return; }
    step = api("POST", "/api/cases/" + id + "/contacts", { contact_id: contact.id }).then(() => id);
  }
  step.then((id) => {
    $("case-link-dialog").close("ok");
    openConversation(c.id);  // its header: "Xem hồ sơ" now
    refreshCases();
    return openCase(id, { focus: true });
  }).catch((e) => { $("case-link-error").textContent = e.message; });
});
