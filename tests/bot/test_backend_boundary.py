"""Rasa and the action server, as `make run` and the tests start them: listening on loopback
only, and answering nothing without their token (only the gateway holds them)."""
import socket

import pytest


def listening_addresses(port: int):
    """Local addresses with a listening TCP socket on ``port`` (from /proc/net/tcp and tcp6)."""
    found = set()
    for path, family in (("/proc/net/tcp", socket.AF_INET), ("/proc/net/tcp6", socket.AF_INET6)):
        try:
            lines = open(path).read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            address, port_hex = fields[1].split(":")
            if fields[3] != "0A" or int(port_hex, 16) != port:  # 0A: LISTEN
                continue
            raw = bytes.fromhex(address)
            # /proc prints each 32-bit word in host (little-endian) order
            raw = b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))
            found.add(socket.inet_ntop(family, raw))
    return found


def test_rasa_and_the_action_server_listen_on_loopback_only(backend):
    for port in (*backend.rasa_ports, backend.action_port):
        addresses = listening_addresses(port)
        assert addresses and addresses <= {"127.0.0.1", "::1"}, (port, addresses)


@pytest.mark.parametrize("path, method", [("/", "GET"), ("/webhooks/rest/webhook", "POST"),
                                          ("/conversations/web:x/tracker", "GET"), ("/status", "GET"),
                                          ("/model/parse", "POST")])
async def test_rasa_answers_nothing_without_its_token(backend, http, path, method):
    body = {"sender": "x", "message": "xin chào", "text": "xin chào"}
    async with http.request(method, backend.rasa_url + path, json=body) as r:
        assert r.status == 401, (path, r.status)
        assert "Rasa" not in await r.text()  # not even its version
    async with http.request(method, backend.rasa_url + path, json=body,
                            headers={"Authorization": "Bearer not-" + backend.token}) as r:
        assert r.status == 401


async def test_rasa_answers_the_gateways_token(backend, http):
    headers = {"Authorization": f"Bearer {backend.token}"}
    async with http.post(backend.rasa_url + "/webhooks/rest/webhook", json={"sender": "web:boundary", "message": "chào"},
                         headers=headers) as r:
        assert r.status == 200 and isinstance(await r.json(), list)


async def test_the_action_server_answers_only_rasa(backend, http):
    url = f"http://127.0.0.1:{backend.action_port}"
    call = {"next_action": "action_hotline_fallback", "sender_id": "x", "tracker": {}, "domain": {}, "version": "3.6.21"}
    async with http.post(url + "/webhook", json=call) as r:
        assert r.status == 401
    async with http.post(url + "/webhook", json=call, headers={"Authorization": "Bearer wrong"}) as r:
        assert r.status == 401
    async with http.post(url + "/webhook", data=b"\x1f\x8b" + b"\0" * 64,
                         headers={"Authorization": f"Bearer {backend.action_token}", "Content-Encoding": "gzip"}) as r:
        assert r.status == 415
    async with http.get(url + "/health") as r:
        assert r.status == 200
