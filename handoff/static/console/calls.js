// "Ghi nhận cuộc gọi": a phone call or a walk-in, logged when it ends (POST /api/calls,
// docs/cases.md) with the same record as a chat's close, and optionally added to a case (one I
// work on, or a new one). An error keeps everything typed; the dialog starts clean each time.
import { $, api, el, may, notify, state, vnLocal } from "./core.js";
import { openDialog } from "./dialogs.js";
import { fillRecord, readRecord, resetRecord } from "./record_form.js";
import { fillCaseChoices, refreshCases } from "./case_list.js";
import { openCase } from "./case_page.js";
import { refresh } from "./sidebar.js";

const box = () => $("call-form").querySelector(".record");
const channel = () => document.querySelector("input[name=call-channel]:checked").value;
let startTyped = false;  // the start was set by hand: the duration no longer moves it
let logged = null;       // the call this dialog logged, when the new case for it is still to be made

// The choices, once the page's words have come. Outcomes set by the system are not offered.
export function fillCallForm(options) {
  fillRecord(box(), options, Object.keys(options.outcomes).filter((k) => k !== "abusive" && k !== "no_counselling"));
  const lines = $("call-line"), numbers = Object.keys(options.lines || {});
  lines.textContent = "";
  if (numbers.length !== 1) { const o = el("option", "", "Chọn số…"); o.value = ""; lines.appendChild(o); }
  numbers.forEach((n) => { const o = el("option", "", options.lines[n] + " (" + n + ")"); o.value = n; lines.appendChild(o); });
}

export function showCallButton(me) { $("log-call-btn").hidden = !may("call.log", me); }

function showChannel() {
  $("call-line-field").hidden = channel() !== "phone";
  $("call-title").textContent = channel() === "phone" ? "Ghi nhận cuộc gọi" : "Ghi nhận người đến gặp trực tiếp";
}

// The start, unless set by hand: now minus the duration.
function guessStart() {
  if (startTyped) return;
  const minutes = Number($("call-duration").value) || 0;
  $("call-start").value = vnLocal(Date.now() - minutes * 60000);
}

$("log-call-btn").addEventListener("click", () => {
  $("call-form").querySelector("input[value=phone]").checked = true;
  resetRecord(box(), null);
  $("call-line").selectedIndex = 0;
  $("call-duration").value = ""; $("call-note").value = ""; $("call-case-title").value = "";
  startTyped = false; logged = null; guessStart();
  $("call-start").max = vnLocal(Date.now());
  $("call-error").textContent = "";
  fillCaseChoices($("call-case"), { none: "Không gắn", create: "Tạo hồ sơ mới" }).then(showCaseTitle);
  showChannel(); showCaseTitle();
  openDialog($("call-dialog"));
});
document.querySelectorAll("input[name=call-channel]").forEach((r) => r.addEventListener("change", showChannel));
$("call-duration").addEventListener("input", guessStart);
$("call-start").addEventListener("input", () => { startTyped = true; });
function showCaseTitle() { $("call-case-title-field").hidden = $("call-case").value !== "new"; }
$("call-case").addEventListener("change", () => {
  showCaseTitle();
  if ($("call-case").value === "new") $("call-case-title").focus();
});

// What is missing, in words, before anything is sent (the API checks it all again).
function missing() {
  if (channel() === "phone" && !$("call-line").value) return [$("call-line"), "Hãy chọn số đường dây nhận cuộc gọi."];
  if ($("call-duration").value === "") return [$("call-duration"), "Hãy nhập thời lượng (số phút)."];
  if (!$("call-type").value) return [$("call-type"), "Hãy chọn loại cuộc liên hệ."];
  if ($("call-case").value === "new" && !$("call-case-title").value.trim()) {
    return [$("call-case-title"), "Hãy đặt tên ngắn cho hồ sơ mới."];
  }
  return null;
}

$("call-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const wrong = missing();
  if (wrong) { $("call-error").textContent = wrong[1]; wrong[0].focus(); return; }
  $("call-error").textContent = "";
  const chosen = $("call-case").value, title = $("call-case-title").value.trim();
  const body = { ...readRecord(box()), channel: channel(), started_at: $("call-start").value,
                 duration_min: Number($("call-duration").value), note: $("call-note").value.trim() };
  if (body.channel === "phone") body.line = $("call-line").value;
  if (chosen && chosen !== "new") body.case_id = Number(chosen);
  $("call-save").disabled = true;
  const call = logged ? Promise.resolve(logged) : api("POST", "/api/calls", body).then((data) => { logged = data.contact; return logged; });
  call.then((contact) => (chosen === "new"
    ? api("POST", "/api/cases", { title, contact_id: contact.id }).then((data) => data.case.id)
    : (chosen ? Number(chosen) : null)))
    .then((caseId) => {
      logged = null;
      $("call-dialog").close("ok");
      notify(caseId ? "Đã ghi nhận cuộc gọi vào hồ sơ." : "Đã ghi nhận cuộc gọi.");
      refresh(); refreshCases();
      if (caseId) openCase(caseId, { focus: true });
    })
    .catch((e) => {
      $("call-error").textContent = logged
        ? "Cuộc gọi đã được ghi nhận, nhưng chưa tạo được hồ sơ: " + e.message + " Sửa tên hồ sơ rồi bấm Lưu lần nữa."
        : e.message;
    })
    .finally(() => { $("call-save").disabled = false; });
});
