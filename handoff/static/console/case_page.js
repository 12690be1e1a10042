// A case's page (docs/cases.md), in place of the conversation while it is open: its title and
// status, its contacts (a chat's opens its transcript), the screening checklist by indicator
// group, follow-up tasks, people, notes and the timeline. Every change answers with the whole
// case, drawn again with focus kept where it was; each form starts empty for another case.
import { $, api, dayText, el, fillSelect, may, notify, redraw, showView, state, vnDate, vnDateTime, word } from "./core.js";
import { openConversation } from "./conversation.js";
import { team } from "./sidebar.js";
import { completeTask, dueBadge, refreshTasks } from "./tasks.js";
import { refreshCases } from "./case_list.js";

const LOGGED = ["phone", "walk_in"];  // contacts logged after they end: no transcript to read
// A colleague by the name the team knows them by (the sidebar's list), else their username.
const who = (username) => (team().find((p) => p.username === username) || {}).display_name || username;

// Opens (or draws again) case ``id``; ``how.focus``: a person chose it, focus goes to its title.
export function openCase(id, how) {
  how = how || {};
  return api("GET", "/api/cases/" + id).then((data) => {
    if (!state.case || state.case.id !== data.case.id) clearForms();
    state.case = data.case;
    draw(data.case);
    showView("case");
    if (how.focus) $("case-title").focus();
    refreshCases();
  }).catch((e) => { if (state.case && state.case.id === id) $("case-error").textContent = e.message; else notify(e.message); });
}
export function reloadCase() { return state.case ? openCase(state.case.id) : Promise.resolve(); }

// Back to the conversation that was open (or the notice in its place).
export function closeCase() {
  state.case = null;
  showView("chat");
  refreshCases();
  ($("chat").hidden ? $("empty") : $("chat-title")).focus();
}
$("case-back").addEventListener("click", closeCase);

// Signing out on a shared laptop: nothing of this case is left in the page.
export function forgetCase() {
  state.case = null;
  ["case-contacts", "case-indicators", "case-tasks", "case-people", "case-timeline"].forEach((id) => redraw($(id), []));
  ["case-title", "case-meta", "case-status-badge"].forEach((id) => { $(id).textContent = ""; });
  clearForms();
}

// A step on the case; its answer is the case, drawn again. Errors go to ``where`` (the form's).
function change(step, body, where) {
  where.textContent = "";
  return api("POST", "/api/cases/" + state.case.id + "/" + step, body).then((data) => {
    state.case = data.case; draw(data.case); refreshCases();
    return data.case;
  }).catch((e) => { where.textContent = e.message; throw e; });
}

function clearForms() {
  ["case-task-title", "case-person-description", "case-note-text", "case-task-assignee"].forEach((id) => { $(id).value = ""; });
  ["case-person-role", "case-person-age", "case-person-sex"].forEach((id) => { $(id).selectedIndex = 0; });
  $("case-task-due").value = vnDate(1);
  document.querySelectorAll("#case-page .error").forEach((p) => { p.textContent = ""; });
}

function fillAssignees() {
  const select = $("case-task-assignee"), keep = select.value || state.me.username;
  select.textContent = "";
  const people = team().filter((p) => p.username !== state.me.username);
  [{ username: state.me.username, display_name: "Tôi (" + state.me.display_name + ")" }].concat(people).forEach((p) => {
    const o = el("option", "", p.display_name); o.value = p.username; select.appendChild(o);
  });
  select.value = keep;
  if (!select.value) select.value = state.me.username;
}

// The page's words for its lists, once the vocabulary has come.
export function fillCasePage(options) {
  [["case-status", options.case_statuses], ["case-person-role", options.case_roles]].forEach((f) => {
    $(f[0]).textContent = "";  // no "none" choice: every case has a status, every person a role
    Object.keys(f[1]).forEach((k) => { const o = el("option", "", f[1][k]); o.value = k; $(f[0]).appendChild(o); });
  });
  fillSelect($("case-person-age"), options.age_groups);
  fillSelect($("case-person-sex"), options.sexes);
}

function draw(c) {
  const editable = may("case.update", c);
  $("case-status-badge").className = "badge status-" + c.status; $("case-status-badge").textContent = c.status_name;
  $("case-title").textContent = c.title;
  $("case-meta").textContent = "Mở lúc " + vnDateTime(c.created_at) + " bởi " + who(c.created_by)
    + (c.counsellor !== c.created_by ? " · phụ trách: " + who(c.counsellor) : "");
  $("case-status-field").hidden = !editable; $("case-status").value = c.status;
  document.querySelectorAll("#case-page form").forEach((f) => { f.hidden = !editable; });
  fillAssignees();  // the team as last read
  drawContacts(c); drawIndicators(c, editable); drawTasks(c, editable); drawPeople(c); drawTimeline(c);
}

function contactText(k) {
  const parts = [word("contact_types", k.contact_type)];
  if (!k.closed_at) parts[0] = "đang diễn ra";
  if (k.outcomes && k.outcomes.length) parts.push(k.outcomes.map((o) => word("outcomes", o)).join(", "));
  if (k.category) parts.push(word("categories", k.category));
  if (k.victim && k.victim !== "unknown") parts.push(word("victim_status", k.victim));
  [k.province, k.age_group && word("age_groups", k.age_group), k.sex && k.sex !== "unknown" && word("sexes", k.sex)]
    .forEach((p) => { if (p) parts.push(p); });
  return parts.filter(Boolean).join(" · ");
}

function drawContacts(c) {
  const items = c.contacts.map((k) => {
    const li = el("li", "contact");
    const head = word("channels", k.channel) + " · " + vnDateTime(k.queued_at)
      + (k.duration_s ? " · " + Math.round(k.duration_s / 60) + " phút" : "")
      + (k.line ? " · số " + k.line : "") + (k.counsellor ? " · " + who(k.counsellor) : "");
    li.appendChild(el("strong", "", head));
    li.appendChild(el("div", "", contactText(k)));
    if (LOGGED.indexOf(k.channel) < 0) {
      const open = el("button", "link", "Xem cuộc trò chuyện");
      open.type = "button"; open.dataset.key = "contact-" + k.id;
      open.setAttribute("aria-label", "Xem cuộc trò chuyện " + word("channels", k.channel) + " lúc " + vnDateTime(k.queued_at));
      open.addEventListener("click", () => openConversation(k.conversation_id, { focus: true }));
      li.appendChild(open);
    }
    return li;
  });
  if (!items.length) items.push(el("li", "muted", "Chưa có lần liên hệ nào."));
  redraw($("case-contacts"), items, JSON.stringify(c.contacts));
}

// The checklist by group: each indicator with its state and two toggle buttons (pressed again,
// a decision is taken back).
const STATES = { proposed: "Đề xuất từ tin nhắn", confirmed: "Đã xác nhận", rejected: "Đã bác bỏ" };
function drawIndicators(c, editable) {
  const groups = (state.options && state.options.indicator_groups) || {};
  const items = [];
  Object.keys(groups).forEach((g) => {
    const mine = c.indicators.filter((i) => i.group === g);
    if (!mine.length) return;
    const box = el("div", "indicator-group");
    const heading = el("h4", "", groups[g]); heading.id = "ind-group-" + g;
    const list = el("ul", "indicators"); list.setAttribute("aria-labelledby", heading.id);
    mine.forEach((i) => list.appendChild(indicator(i, editable)));
    box.appendChild(heading); box.appendChild(list);
    items.push(box);
  });
  redraw($("case-indicators"), items, JSON.stringify([c.indicators, editable]));
}

function indicator(i, editable) {
  const li = el("li", "indicator" + (i.state ? " " + i.state : ""));
  li.dataset.indicator = i.id;
  const text = el("div", "indicator-text");
  text.appendChild(el("span", "indicator-label", i.label));
  if (i.state) {
    let said = STATES[i.state];
    if (i.state === "proposed" && i.proposed_by.length) said += " (" + i.proposed_by.map((r) => word("reasons", r)).join(", ") + ")";
    if (i.decided_by) said += " · " + who(i.decided_by) + " · " + vnDateTime(i.decided_at);
    text.appendChild(el("span", "state " + i.state, said));
  }
  li.appendChild(text);
  if (editable) {
    const buttons = el("span", "decide");
    [["confirmed", "Xác nhận"], ["rejected", "Bác bỏ"]].forEach((d) => {
      const b = el("button", "secondary small " + d[0], d[1]);
      b.type = "button"; b.dataset.key = "ind-" + d[0] + "-" + i.id;
      b.setAttribute("aria-label", d[1] + ": " + i.label);
      b.setAttribute("aria-pressed", i.state === d[0] ? "true" : "false");
      b.addEventListener("click", () => {
        change("indicators", { indicator: i.id, decision: i.state === d[0] ? "clear" : d[0] }, $("case-indicators-error"))
          .catch(() => {});
      });
      buttons.appendChild(b);
    });
    li.appendChild(buttons);
  }
  return li;
}

function drawTasks(c, editable) {
  const today = vnDate();
  const items = c.tasks.map((t) => {
    const li = el("li", "task" + (t.status === "done" ? " done" : t.due < today ? " late" : ""));
    const line = el("div", "line");
    if (t.status === "open") line.appendChild(dueBadge(t.due, today));
    line.appendChild(el("strong", "", t.title));
    li.appendChild(line);
    li.appendChild(el("div", "muted", "Giao cho " + who(t.assignee) + (t.status === "done"
      ? " · đã xong lúc " + vnDateTime(t.done_at) + " (" + who(t.done_by) + ")" : " · hạn " + dayText(t.due))));
    if (t.status === "open" && editable) {
      const done = el("button", "secondary small", "Đánh dấu xong");
      done.type = "button"; done.dataset.key = "task-done-" + t.id;
      done.setAttribute("aria-label", "Đánh dấu xong: " + t.title);
      done.addEventListener("click", () => {
        completeTask(t.id, c.id).catch((e) => { $("case-task-error").textContent = e.message; });
      });
      li.appendChild(done);
    }
    return li;
  });
  if (!items.length) items.push(el("li", "muted", "Chưa có việc nào."));
  redraw($("case-tasks"), items, JSON.stringify([c.tasks, editable, today]));
}

function drawPeople(c) {
  const items = c.people.map((p) => {
    const li = el("li");
    li.appendChild(el("strong", "", word("case_roles", p.role) + ": "));
    const about = [p.description];
    if (p.age_group) about.push(word("age_groups", p.age_group));
    if (p.sex) about.push(word("sexes", p.sex));
    li.appendChild(document.createTextNode(about.join(" · ")));
    return li;
  });
  if (!items.length) items.push(el("li", "muted", "Chưa ghi người nào."));
  redraw($("case-people"), items, JSON.stringify(c.people));
}

// What each step of the timeline says besides its kind.
function detailOf(e, c) {
  const d = e.detail || {};
  switch (e.kind) {
    case "opened": return d.title || "";
    case "note": return d.text || "";
    case "status": return word("case_statuses", d.previous) + " → " + word("case_statuses", d.status);
    case "person_added": return word("case_roles", d.role);
    case "task_added": return (d.title || "") + " · hạn " + dayText(d.due) + " · giao cho " + who(d.assignee);
    case "task_done": return d.title || "";
    case "indicator": {
      const i = c.indicators.find((x) => x.id === d.indicator);
      const what = { confirmed: "xác nhận", rejected: "bác bỏ", clear: "bỏ quyết định" }[d.decision] || d.decision;
      return what + ": " + (i ? i.label : d.indicator);
    }
    case "contact_added": {
      const k = c.contacts.find((x) => x.id === d.contact);
      return k ? word("channels", k.channel) + " lúc " + vnDateTime(k.queued_at) : "";
    }
    default: return "";
  }
}

function drawTimeline(c) {
  const items = c.timeline.map((e) => {
    const li = el("li", "step " + e.kind);
    li.appendChild(el("span", "who", vnDateTime(e.at) + " · " + who(e.actor)));
    const said = detailOf(e, c);
    li.appendChild(el("span", "", word("case_events", e.kind) + (said ? ": " + said : "")));
    return li;
  });
  redraw($("case-timeline"), items, JSON.stringify(c.timeline));
}

// --- the forms and the status ------------------------------------------------------------
// Saved by its button, not on "change": a keyboard user arrowing through the list would otherwise
// write each status on the way.
$("case-status-save").addEventListener("click", () => {
  change("status", { status: $("case-status").value }, $("case-error")).catch(() => { $("case-status").value = state.case.status; });
});
$("case-task-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const title = $("case-task-title").value.trim();
  if (!title) { $("case-task-error").textContent = "Hãy ghi việc cần làm."; $("case-task-title").focus(); return; }
  change("tasks", { title, due: $("case-task-due").value, assignee: $("case-task-assignee").value }, $("case-task-error"))
    .then(() => { $("case-task-title").value = ""; $("case-task-due").value = vnDate(1); refreshTasks(); })
    .catch(() => {});
});
$("case-person-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const description = $("case-person-description").value.trim();
  if (!description) { $("case-person-error").textContent = "Hãy mô tả ngắn người này."; $("case-person-description").focus(); return; }
  change("people", { role: $("case-person-role").value, description, age_group: $("case-person-age").value || null,
                     sex: $("case-person-sex").value || null }, $("case-person-error"))
    .then(() => { $("case-person-description").value = ""; $("case-person-age").value = ""; $("case-person-sex").value = ""; })
    .catch(() => {});
});
$("case-note-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const text = $("case-note-text").value.trim();
  if (!text) { $("case-note-error").textContent = "Ghi chú đang trống."; $("case-note-text").focus(); return; }
  change("notes", { text }, $("case-note-error")).then(() => { $("case-note-text").value = ""; }).catch(() => {});
});
