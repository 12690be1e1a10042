// "Việc cần làm": my open follow-ups on cases (GET /api/tasks), soonest due first, those past due
// marked; each opens its case, and is marked done from here or from the case's page.
import { $, api, dayText, el, may, notify, redraw, state, vnDate } from "./core.js";
import { openCase, reloadCase } from "./case_page.js";
import { onRefresh } from "./sidebar.js";

export function refreshTasks() {
  if (!state.me || !may("task.read", state.me)) return Promise.resolve();
  return api("GET", "/api/tasks").then((data) => {
    const tasks = data.tasks, today = vnDate();
    $("tasks-count").textContent = tasks.length;
    $("tasks-empty").hidden = tasks.length > 0;
    redraw($("tasks"), tasks.map((t) => entry(t, today)), JSON.stringify([tasks, today]));
  }).catch(() => {});
}
onRefresh(refreshTasks);

// When it is due, in words: overdue and today stand out.
export function dueBadge(due, today) {
  if (due < today) return el("span", "badge overdue", "Quá hạn " + dayText(due));
  if (due === today) return el("span", "badge today", "Hôm nay");
  return el("span", "badge", "Hạn " + dayText(due));
}

function entry(t, today) {
  const li = el("li", "task" + (t.due < today ? " late" : ""));
  const open = el("button", "item");
  open.type = "button"; open.dataset.key = "task-" + t.id; open.dataset.task = t.id;
  const line = el("span", "line");
  line.appendChild(dueBadge(t.due, today));
  line.appendChild(el("strong", "", t.title));
  open.appendChild(line);
  open.appendChild(el("span", "trigger", "Hồ sơ: " + t.case_title));
  open.addEventListener("click", () => openCase(t.case_id, { focus: true }));
  const done = el("button", "secondary small", "Xong");
  done.type = "button"; done.dataset.key = "done-" + t.id;
  done.setAttribute("aria-label", "Đánh dấu đã xong: " + t.title);
  done.addEventListener("click", () => {
    completeTask(t.id, t.case_id).then(() => {
      // the entry is gone: focus goes on to the next one, else to the list's heading
      if (!$("tasks").contains(document.activeElement)) ($("tasks").querySelector("button.item") || $("tasks-title")).focus();
    }).catch((e) => notify(e.message));
  });
  li.appendChild(open); li.appendChild(done);
  return li;
}

// Marks a task done; the list, and the case's page when it is open, show it at once.
export function completeTask(id, caseId) {
  return api("POST", "/api/tasks/" + id, { done: true }).then(() => {
    notify("Đã đánh dấu xong một việc.");
    if (state.case && state.case.id === caseId) reloadCase();
    return refreshTasks();
  });
}
