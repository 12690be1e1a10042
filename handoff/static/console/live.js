// The live line: the console's WebSocket (/api/ws, handoff/live.py), the heartbeat that keeps this
// counsellor's presence, and what each event changes on the page.
import { $, api, state } from "./core.js";
import { criticalAlert, markUnread, minePriority, unreadOf } from "./cues.js";
import { addMessages, loadMessages, openConversation } from "./conversation.js";
import { refresh, refreshSoon } from "./sidebar.js";

let socket = null, retry = 1000;

export function connect() {
  const proto = location.protocol === "https:" ? "wss://" : "ws://";
  socket = new WebSocket(proto + location.host + "/api/ws");
  socket.onopen = () => {
    retry = 1000; setConnection(true);
    refresh(); if (state.current) loadMessages();  // catch up on what arrived while away
  };
  socket.onmessage = (event) => onEvent(JSON.parse(event.data));
  socket.onclose = () => {
    setConnection(false);
    if (state.me) setTimeout(connect, retry);
    retry = Math.min(retry * 2, 15000);
  };
}

export function disconnect() {
  if (socket) { socket.onclose = null; socket.close(); socket = null; }
}

function setConnection(up) {
  $("connection").textContent = up ? "Đã kết nối" : "Mất kết nối";
  $("connection").className = "badge " + (up ? "online" : "offline");
}

function onEvent(event) {
  const current = state.current;
  if (event.type === "message") {
    const here = current && event.conversation === current.id;
    if (here) addMessages([event.message]);
    if (event.message.role === "user") {
      if (event.conversation in minePriority && (!here || document.hidden)) {
        markUnread(event.conversation, unreadOf(event.conversation) + 1);
        if (minePriority[event.conversation] === "critical") criticalAlert();
      }
      refreshSoon();
    }
  } else if (["queue", "assigned", "closed", "presence", "intake"].indexOf(event.type) >= 0) {
    if (event.critical && event.type === "queue") criticalAlert();
    refreshSoon();
    if (current && event.conversation === current.id) openConversation(current.id);
  } else if (event.type === "alert") {
    criticalAlert(); refreshSoon();
  }
}

document.addEventListener("visibilitychange", () => {
  const current = state.current;
  if (!document.hidden && current && unreadOf(current.id)) markUnread(current.id, 0);
});
setInterval(() => {
  if (socket && socket.readyState === 1) socket.send(JSON.stringify({ type: "heartbeat", status: $("presence").value }));
}, 10000);
$("presence").addEventListener("change", () => {
  api("POST", "/api/presence", { status: $("presence").value }).then(refresh);
});
