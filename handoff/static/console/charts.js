// The statistics' figures drawn for people: the hotline's categories with calls (phone, walk-in)
// beside chats, as bars that carry their numbers, and the same figures in a real table (the one a
// screen reader reads: the bars are hidden from it). Then counselling and non-counselling contacts,
// the latter by type. A figure the API does not send is left out, never guessed.
import { el, state, word } from "./core.js";

const SERIES = [["calls", "Cuộc gọi (điện thoại, trực tiếp)"], ["chats", "Tin nhắn (web, Telegram, Zalo, SMS)"]];

export function drawSplit(box, s) {
  box.textContent = "";
  const split = s && s.calls_and_chats;
  const rows = ((state.options && state.options.statistics) || [])
    .filter((r) => split && split.calls && split.chats && typeof split.calls[r[0]] === "number" && typeof split.chats[r[0]] === "number");
  if (rows.length) {
    box.appendChild(el("h3", "", "Cuộc gọi và tin nhắn"));
    box.appendChild(bars(rows, split));
    box.appendChild(table(rows, split));
  }
  drawTypes(box, s || {});
}

function bars(rows, split) {
  const top = Math.max(1, ...rows.map((r) => Math.max(split.calls[r[0]], split.chats[r[0]])));
  const chart = el("div", "chart");
  chart.setAttribute("aria-hidden", "true");  // the table below says the same
  const legend = el("div", "legend");
  SERIES.forEach((x) => { const k = el("span", "key " + x[0]); k.appendChild(el("span", "swatch")); k.appendChild(document.createTextNode(x[1])); legend.appendChild(k); });
  chart.appendChild(legend);
  rows.forEach((r) => {
    const group = el("div", "group");
    group.dataset.key = r[0];
    group.appendChild(el("div", "label", r[1]));
    SERIES.forEach((x) => {
      const value = split[x[0]][r[0]];
      const line = el("div", "pair-bar " + x[0]);
      const bar = el("span", "fill"); bar.style.width = (100 * value / top) + "%";
      line.appendChild(bar); line.appendChild(el("span", "value", String(value)));
      group.appendChild(line);
    });
    chart.appendChild(group);
  });
  return chart;
}

function table(rows, split) {
  const t = el("table", "figures");
  t.id = "split-table";
  t.appendChild(el("caption", "", "Số liệu theo nhóm: cuộc gọi và tin nhắn"));
  const head = el("tr");
  ["Nhóm", "Cuộc gọi", "Tin nhắn", "Tổng"].forEach((h) => { const th = el("th", "", h); th.scope = "col"; head.appendChild(th); });
  const thead = el("thead"); thead.appendChild(head); t.appendChild(thead);
  const body = el("tbody");
  rows.forEach((r) => {
    const tr = el("tr"); tr.dataset.key = r[0];
    const th = el("th", "", r[1]); th.scope = "row"; tr.appendChild(th);
    const calls = split.calls[r[0]], chats = split.chats[r[0]];
    [calls, chats, calls + chats].forEach((v) => tr.appendChild(el("td", "", String(v))));
    body.appendChild(tr);
  });
  t.appendChild(body);
  return t;
}

function drawTypes(box, s) {
  const lines = [];
  if (typeof s.counselling_contacts === "number") lines.push(["counselling", "Cuộc tư vấn", s.counselling_contacts]);
  if (typeof s.non_counselling_contacts === "number") lines.push(["non_counselling", "Cuộc không phải tư vấn", s.non_counselling_contacts]);
  const types = s.by_contact_type || {};
  Object.keys(types).filter((k) => k !== "counselling").forEach((k) => lines.push(["type-" + k, "· " + word("contact_types", k), types[k]]));
  if (typeof s.untyped_contacts === "number") lines.push(["untyped", "Chưa kết thúc, chưa phân loại", s.untyped_contacts]);
  if (!lines.length) return;
  box.appendChild(el("h3", "", "Loại cuộc liên hệ"));
  const list = el("dl", "types");
  lines.forEach((l) => {
    const dt = el("dt", "", l[1]), dd = el("dd", "", String(l[2]));
    dd.dataset.key = l[0];
    list.appendChild(dt); list.appendChild(dd);
  });
  box.appendChild(list);
}
