"""A counsellor's laptop drops off the network and comes back: the console's live line
(WebSocket) reconnects and, as the console page does (handoff/static/console/live.js), asks for
the messages after the last one it has. Nothing is lost, nothing arrives twice, and the case stays with them."""
import json
import uuid

from tests.handoff.conftest import head_of_queue, signed_in, user_says


async def messages_from(ws, count, timeout=10):
    got = []
    while len(got) < count:
        event = json.loads((await ws.receive(timeout=timeout)).data)
        if event["type"] == "message":
            got.append(event["message"])
    return got


async def test_a_dropped_console_catches_up_without_loss_or_duplicates(consoles, store, http, gateway_without_rasa):
    gateway, sender = gateway_without_rasa, uuid.uuid4().hex
    lan = await signed_in(consoles, store, "thuy")
    await user_says(http, gateway, sender, "cứu em, em bị nhốt ở tầng hai")
    cid = await head_of_queue(lan)
    assert (await lan.call("POST", f"/api/conversations/{cid}/claim"))[0] == 200
    _, case = await lan.call("GET", f"/api/conversations/{cid}?after=0")
    shown = [m["id"] for m in case["messages"]]

    ws_url = gateway.replace("http", "ws") + "/api/ws"
    ws = await lan.http.ws_connect(ws_url)
    assert json.loads((await ws.receive(timeout=5)).data)["type"] == "hello"
    await user_says(http, gateway, sender, "một")
    shown += [m["id"] for m in await messages_from(ws, 1)]

    # The network goes: the socket dies without a closing handshake.
    ws._response.connection.transport.abort()
    await user_says(http, gateway, sender, "hai")
    await user_says(http, gateway, sender, "ba")
    assert (await lan.call("POST", f"/api/conversations/{cid}/messages", {"text": "Chị vẫn ở đây."}))[0] == 200

    ws = await lan.http.ws_connect(ws_url)
    assert json.loads((await ws.receive(timeout=5)).data)["type"] == "hello"
    _, missed = await lan.call("GET", f"/api/conversations/{cid}?after={max(shown)}")
    shown += [m["id"] for m in missed["messages"]]
    await user_says(http, gateway, sender, "bốn")
    shown += [m["id"] for m in await messages_from(ws, 1)]
    await ws.close()

    _, everything = await lan.call("GET", f"/api/conversations/{cid}?after=0")
    assert shown == [m["id"] for m in everything["messages"]]  # all of them, each once, in order
    said = [m["text"] for m in everything["messages"] if m["role"] == "user"]
    assert said == ["cứu em, em bị nhốt ở tầng hai", "một", "hai", "ba", "bốn"]
    assert everything["state"] == "assigned" and everything["counsellor"] == "thuy"
