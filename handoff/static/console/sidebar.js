// The sidebar: my chats, the queue, the whole line (supervisors), bursts, the team. Each case is a
// real <button> (Tab reaches it, Enter and Space open it), drawn again on every change. The lists
// of other modules ("Việc cần làm", "Hồ sơ") are read again with it (``onRefresh``).
import { $, ago, api, el, state, word } from "./core.js";
import { criticalAlert, setMine, setUnopened, showUnread } from "./cues.js";
import { confirmDialog } from "./dialogs.js";
import { openConversation } from "./conversation.js";

let refreshTimer = null, presenceKnown = false, counsellors = [];

// The team as last read (the transfer dialog offers from it).
export function team() { return counsellors; }

const alsoOnRefresh = [];
export function onRefresh(read) { alsoOnRefresh.push(read); }

export function refreshSoon() { clearTimeout(refreshTimer); refreshTimer = setTimeout(refresh, 150); }

export function refresh() {
  if (!state.me) return;
  api("GET", "/api/queue").then((data) => {
    renderCases($("queue"), data.waiting, true); $("queue-count").textContent = data.waiting.length;
    setMine(data.mine);
    renderCases($("mine"), data.mine, false); $("mine-count").textContent = data.mine.length;
    setUnopened(data.mine, (id) => openConversation(id, { focus: true }));
    if (data.assigned) renderCases($("assigned"), data.assigned, false);
    const banner = $("alert-banner");
    // (alerts come only to those who see the whole line)
    if (data.alerts && data.alerts.length) {
      banner.hidden = false;
      banner.textContent = "Cảnh báo: " + data.alerts.length + " trường hợp khẩn cấp chưa có người nhận sau "
        + ago(data.alerts[0].waited_s) + ". Hãy phân công ngay.";
    } else { banner.hidden = true; }
    if (data.waiting.some((c) => c.priority === "critical") && !banner.hidden) criticalAlert();
    if (data.bursts) renderBursts(data.bursts, data.circuit);
  }).catch(() => {});
  api("GET", "/api/counsellors").then((data) => { renderTeam(data.counsellors); }).catch(() => {});
  alsoOnRefresh.forEach((read) => read());
}

function renderTeam(list) {
  const box = $("team"); box.textContent = "";
  list.forEach((c) => {
    // After a reload the page takes the status the line knows ("Tạm vắng" stays away).
    if (!presenceKnown && c.username === state.me.username && c.presence !== "offline") $("presence").value = c.presence;
    const li = el("li"); li.appendChild(el("span", "", c.display_name + " (" + c.load + "/" + c.capacity + ")"));
    li.appendChild(el("span", "badge " + c.presence,
      c.presence === "online" ? "đang trực" : c.presence === "away" ? "tạm vắng" : "ngoại tuyến"));
    box.appendChild(li);
  });
  counsellors = list; presenceKnown = true;
}

// One entry of a list of cases: a button whose text says what a sighted reader sees.
export function caseButton(id, priority, parts, trigger, open) {
  const button = el("button", "case " + priority);
  button.type = "button"; button.dataset.id = id;
  const selected = state.current && state.current.id === id;
  button.classList.toggle("selected", !!selected);
  if (selected) button.setAttribute("aria-current", "true");
  const line = el("span", "line");
  line.appendChild(el("span", "badge " + priority, word("priorities", priority)));
  parts.forEach((p) => line.appendChild(p));
  button.appendChild(line);
  if (trigger) button.appendChild(el("span", "trigger", trigger));
  button.addEventListener("click", open);
  const li = el("li"); li.appendChild(button);
  return li;
}

// A list is drawn again on every change, but an entry whose case is still at its place keeps its
// element: focus stays where the keyboard left it, and nothing that holds the entry goes stale.
function renderCases(list, cases, waiting) {
  const kept = Array.from(list.querySelectorAll("button.case"));
  const focused = list.contains(document.activeElement) ? document.activeElement.dataset.id : null;
  const fresh = cases.map((c) => {
    const parts = [el("span", "", word("channels", c.channel)), el("span", "muted", c.sender),
      el("span", "muted", waiting ? "chờ " + ago(c.wait_s) : (c.counsellor ? "· " + c.counsellor : ""))];
    if (c.returned) parts.push(el("span", "badge", "trả lại"));
    if (c.burst) parts.push(el("span", "badge", "nhóm"));
    if (c.language_name) parts.push(el("span", "badge", c.language_name));
    const li = caseButton(c.id, c.effective_priority, parts, c.trigger_text, () => openConversation(c.id, { focus: true }));
    if (!waiting) showUnread(li.firstChild, c.id);
    return li;
  });
  if (kept.map((b) => b.dataset.id).join() === cases.map((c) => c.id).join()) {
    fresh.forEach((li, i) => {
      const now = li.firstChild, old = kept[i];
      old.className = now.className; old.replaceChildren(...now.childNodes);
      if (now.hasAttribute("aria-current")) old.setAttribute("aria-current", "true"); else old.removeAttribute("aria-current");
    });
    return;
  }
  list.replaceChildren(...fresh);
  const again = focused && list.querySelector('button.case[data-id="' + focused + '"]');
  if (again) again.focus();
}

// Bursts (supervisors): many new conversations from one address, or the circuit open; one button
// closes a whole group as abuse. Each case is still in the queue, to be looked at first.
function renderBursts(bursts, circuit) {
  const ids = Object.keys(bursts), list = $("bursts");
  $("bursts-panel").hidden = !ids.length && !circuit;
  $("circuit").hidden = !circuit;
  if (circuit) $("circuit").textContent = "Lượng cuộc trò chuyện mới đang tăng bất thường (từ "
    + new Date(circuit.since * 1000).toLocaleTimeString("vi-VN") + "): cuộc mới được gom vào một nhóm.";
  list.textContent = "";
  ids.forEach((id) => {
    const li = el("li", "case burst");
    li.appendChild(el("div", "line", bursts[id] + " cuộc đang chờ, mở từ cùng "
      + (id.charAt(0) === "c" ? "đợt tăng đột biến" : "một địa chỉ mạng") + " trong ít phút (có thể là tin giả)."));
    const button = el("button", "danger", "Bỏ qua cả nhóm (quấy rối)");
    button.type = "button";
    button.setAttribute("aria-label", "Bỏ qua cả nhóm " + bursts[id] + " cuộc, ghi là quấy rối");
    button.addEventListener("click", () => {
      confirmDialog("Đóng " + bursts[id] + " cuộc của nhóm này, ghi là quấy rối? Hãy xem vài cuộc trước khi đóng.",
                    "Đóng cả nhóm").then((yes) => {
        if (yes) api("POST", "/api/bursts/" + id + "/dismiss", {}).then(refresh).catch(() => {});
      });
    });
    li.appendChild(button);
    list.appendChild(li);
  });
}
