// The sidebar's "Hồ sơ": the cases I work on (a supervisor: every case), latest activity first,
// found by their words (GET /api/cases?q=: title, people, notes); each opens its page. And the
// choice of a case in the dialogs that attach a contact to one (the close, a logged call).
import { $, api, el, may, redraw, state, vnDateTime } from "./core.js";
import { openCase } from "./case_page.js";
import { onRefresh } from "./sidebar.js";

let query = "", everything = false;
const FIRST = 8;  // a supervisor's list holds every case: the latest first, the rest on request

export function refreshCases() {
  if (!state.me || !may("case.read", state.me)) return Promise.resolve();
  return api("GET", "/api/cases" + (query ? "?q=" + encodeURIComponent(query) : "")).then((data) => {
    const cases = data.cases;
    $("cases-summary").textContent = query ? (cases.length ? "Tìm thấy " + cases.length + " hồ sơ." : "Không tìm thấy hồ sơ nào.")
      : (cases.length ? "" : "Chưa có hồ sơ nào.");
    const shown = query || everything ? cases : cases.slice(0, FIRST);
    redraw($("cases"), shown.map(entry), JSON.stringify([shown, state.case && state.case.id]));
    $("cases-more").hidden = shown.length === cases.length;
    $("cases-more").textContent = "Xem tất cả " + cases.length + " hồ sơ";
  }).catch(() => {});
}
onRefresh(refreshCases);

function entry(c) {
  const button = el("button", "item case-entry" + (c.status === "closed" ? " done" : ""));
  button.type = "button"; button.dataset.key = "case-" + c.id; button.dataset.case = c.id;
  if (state.case && state.case.id === c.id) { button.classList.add("selected"); button.setAttribute("aria-current", "true"); }
  const line = el("span", "line");
  line.appendChild(el("span", "badge status-" + c.status, c.status_name));
  line.appendChild(el("strong", "", c.title));
  button.appendChild(line);
  button.appendChild(el("span", "trigger", c.contact_count + " lần liên hệ · " + (c.open_tasks ? c.open_tasks + " việc cần làm · " : "")
    + "cập nhật " + vnDateTime(c.updated_at)));
  button.addEventListener("click", () => openCase(c.id, { focus: true }));
  const li = el("li"); li.appendChild(button);
  return li;
}

$("cases-more").addEventListener("click", () => {
  everything = true;
  const first = $("cases").children.length;
  refreshCases().then(() => { const next = $("cases").children[first]; if (next) next.querySelector("button").focus(); });
});

$("cases-search").addEventListener("submit", (event) => {
  event.preventDefault();
  query = $("cases-q").value.trim();
  refreshCases();
});

// ``select`` offers the cases this user may attach a contact to, newest activity first, after
// ``how.none`` (no case) and ``how.create`` ("Tạo hồ sơ mới", value "new") when given.
export function fillCaseChoices(select, how) {
  select.textContent = "";
  const add = (value, text) => { const o = el("option", "", text); o.value = value; select.appendChild(o); return o; };
  if (how.none) add("", how.none);
  if (how.create) add("new", how.create);
  if (!may("case.update", state.me)) return Promise.resolve();
  return api("GET", "/api/cases").then((data) => {
    data.cases.filter((c) => may("case.update", c)).forEach((c) => add(String(c.id), c.title + " (" + c.status_name + ")"));
    if (how.selected) select.value = how.selected;
  }).catch(() => {});
}
