// The console's entry point: sign-in, then every panel once the API has said who this is and
// given the page its words. Each panel is a module of its own (docs/counsellors.md, "The page").
import { $, api, fillSelect, may, redraw, showView, state, whenSignedOut } from "./core.js";
import "./dialogs.js";
import { connect, disconnect } from "./live.js";
import { refresh } from "./sidebar.js";
import { openConversation } from "./conversation.js";
import { fillQuickReplies, forgetTab, saved } from "./composer.js";
import { fillCloseChoices } from "./case_actions.js";
import "./referrals.js";
import "./review.js";
import "./reports.js";
import { fillCallForm, showCallButton } from "./calls.js";
import { fillCasePage, forgetCase } from "./case_page.js";
import "./case_list.js";
import "./tasks.js";

function showLogin() {
  state.me = null;
  disconnect();
  $("app-view").hidden = true; $("login-view").hidden = false; $("login-username").focus();
}
whenSignedOut(showLogin);

$("login-form").addEventListener("submit", (event) => {
  event.preventDefault();
  $("login-error").textContent = "";
  api("POST", "/api/login", { username: $("login-username").value, password: $("login-password").value })
    .then((user) => { $("login-password").value = ""; start(user); })
    .catch((e) => { $("login-error").textContent = e.message; });
});
$("logout").addEventListener("click", () => {
  // A shared laptop: the next person signs in on an empty form, with nothing of this shift left open.
  forgetTab(); $("login-username").value = ""; $("chat").hidden = true; $("empty").hidden = false;
  state.current = null; showView("chat"); forgetCase(); redraw($("cases"), []); redraw($("tasks"), []);
  api("POST", "/api/logout", {}).finally(showLogin);
});

function start(user) {
  // another role's page (admins: /console/admin/), before any live line
  if (user.home && user.home !== location.pathname) { location.replace(user.home); return; }
  state.me = user;
  $("login-view").hidden = true; $("app-view").hidden = false;
  $("me").textContent = user.display_name + " (" + user.role_name + ")";
  // the whole line, review, statistics, facts
  $("supervisor-panel").hidden = !may("queue.line", user);
  document.querySelector(".layout").classList.toggle("wide", may("queue.line", user));
  // calls and cases (issue 17): the button on top, the follow-ups and the cases in the sidebar
  showCallButton(user);
  $("tasks-panel").hidden = !may("task.read", user);
  $("cases-panel").hidden = !may("case.read", user);
  // The words first: the lists show them.
  api("GET", "/api/quick-replies").then((data) => {
    state.options = data;
    fillQuickReplies(data.quick_replies); fillCloseChoices(data); fillCallForm(data); fillCasePage(data);
    fillSelect($("search-outcome"), data.outcomes);
    fillSelect($("search-urgency"), data.priorities);
    fillSelect($("stats-channel"), data.channels);
  }).catch(() => {}).then(() => {
    connect(); refresh();
    if (saved.open) openConversation(saved.open);
  });
}

setInterval(() => { if (state.me) refresh(); }, 15000);  // wait times keep moving
api("GET", "/api/me").then(start).catch(showLogin);
