// Supervisors' reports: the hotline's categories as bars (calls beside chats: charts.js), the
// downloads (the figures' CSV, the CHI report, the anonymised case export: real links for the
// chosen period), and the directory's facts to check again (data/directory.yml).
import { $, api, el, state } from "./core.js";
import { drawSplit } from "./charts.js";

function statsQuery() {
  return "from=" + $("stats-from").value + "&to=" + $("stats-to").value
    + ($("stats-channel").value ? "&channel=" + $("stats-channel").value : "");
}

// The hotline's days are Vietnam's (the server counts them so), whatever the laptop's clock zone:
// between 0:00 and 7:00 in Vietnam a UTC laptop would otherwise still be on yesterday.
const today = new Date().toLocaleDateString("en-CA", { timeZone: "Asia/Ho_Chi_Minh" });  // YYYY-MM-DD
const first = today.slice(0, 8) + "01";
$("stats-from").value = first; $("stats-to").value = today;
$("search-from").value = first; $("search-to").value = today;

// Each download is a link to the period chosen now (a supervisor may open it in a new tab, or
// save it); the server audits every export.
function downloads() {
  const period = "from=" + $("stats-from").value + "&to=" + $("stats-to").value;
  $("stats-csv").href = "/api/stats.csv?" + statsQuery();
  $("chi-csv").href = "/api/reports/chi.csv?" + period;
  $("cases-csv").href = "/api/reports/cases.csv?" + period;
}
["stats-from", "stats-to", "stats-channel"].forEach((id) => $(id).addEventListener("change", downloads));
downloads();

$("stats-form").addEventListener("submit", (event) => {
  event.preventDefault();
  api("GET", "/api/stats?" + statsQuery()).then((s) => {
    const box = $("stats"); box.textContent = "";
    const top = Math.max(1, s.contacts_received);
    ((state.options && state.options.statistics) || []).forEach((r) => {
      const row = el("div", "row"); row.appendChild(el("span", "", r[1])); row.appendChild(el("strong", "", String(s[r[0]])));
      const bar = el("div", "bar"); bar.style.width = (100 * s[r[0]] / top) + "%"; row.appendChild(bar);
      box.appendChild(row);
    });
    const c = s.times.critical;
    box.appendChild(el("div", "", "Khẩn cấp: nhận sau trung vị " + (c.claim_median_s === null ? "–" : Math.round(c.claim_median_s) + " giây")
      + ", 90% trong " + (c.claim_p90_s === null ? "–" : Math.round(c.claim_p90_s) + " giây")));
    if (s.satisfied_share !== null) box.appendChild(el("div", "", "Hài lòng: " + Math.round(100 * s.satisfied_share) + "%"));
    drawSplit($("stats-split"), s);
  }).catch((e) => { $("stats").textContent = e.message; $("stats-split").textContent = ""; });
});

$("facts-show").addEventListener("click", () => {
  api("GET", "/api/facts").then((f) => {
    const list = $("facts"); list.textContent = "";
    $("facts-summary").textContent = f.entries.length + " mục, " + f.past_review + " mục đã quá hạn kiểm tra lại.";
    f.entries.forEach((e) => {
      const item = el("li", e.past_review ? "fact late" : "fact");
      const marks = (e.past_review ? " · QUÁ HẠN KIỂM TRA" : "") + (e.confirmed ? "" : " · CHƯA XÁC NHẬN (trợ lý không nêu)");
      item.appendChild(el("strong", "", e.name + (e.phone && e.name.indexOf(e.phone) < 0 ? " · " + e.phone : "") + marks));
      item.appendChild(el("div", "", "Nguồn: " + e.source));
      item.appendChild(el("div", "", "Kiểm tra ngày " + e.verified + ", cần kiểm tra lại trước " + e.review_due));
      if (e.note) item.appendChild(el("div", "note", e.note));
      list.appendChild(item);
    });
    $("facts-summary").scrollIntoView({ block: "start" });  // the list sits below the statistics
  }).catch((e) => { $("facts-summary").textContent = e.message; });
});
