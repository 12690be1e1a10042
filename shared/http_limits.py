"""What every HTTP server of ours shares, whatever it serves (the gateway, the action server):
bodies taken only as sent, never inflated; the same security headers on every response,
errors included; no version banner; no access log.

aiohttp inflates a gzip or deflate body as it arrives, before any handler or size limit runs,
so a 1 MB request could become gigabytes (CVE-2025-69223). ``HANDLER_ARGS`` turns that off
for every route, and ``refuse_encoded_bodies`` answers such a request 415 before anything
reads it. No client of ours compresses a request: browsers, Telegram, Zalo, Kannel and Rasa
send plain bodies.
"""
from __future__ import annotations

import asyncio

from aiohttp import web

# Passed to every connection's request handler (web.Application(handler_args=...)).
HANDLER_ARGS = {"auto_decompress": False}
# No access log: query strings carry SMS texts, phone numbers and web session ids.
RUN_OPTIONS = {"access_log": None}

# The pages hold nothing from elsewhere: scripts, styles and requests stay on this origin.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; connect-src 'self'; "
                               "frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    # Instead of "Python/3.x aiohttp/3.y": no version to look up advisories for.
    "Server": "hotline",
}
# Content-Encoding values that mean "not compressed".
PLAIN_ENCODINGS = {"", "identity"}


async def add_security_headers(request: web.Request, response: web.StreamResponse) -> None:
    """on_response_prepare: runs for every response the app sends, a handler's or an error's
    (404 from the router, 413 from a body too large, 403, 302, 415), static files and sockets."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    response.headers["Server"] = SECURITY_HEADERS["Server"]


@web.middleware
async def refuse_encoded_bodies(request: web.Request, handler) -> web.StreamResponse:
    if request.headers.get("Content-Encoding", "").strip().lower() not in PLAIN_ENCODINGS:
        # Close the connection: the unread body must not be taken for the next request.
        raise web.HTTPUnsupportedMediaType(text="compressed request bodies are not accepted",
                                           headers={"Connection": "close", "Accept-Encoding": "identity"})
    return await handler(request)


def read_body_within(seconds: float):
    """A middleware that reads a request's body before the handler, within ``seconds``: a client
    that trickles its body (slowloris) gets 408 instead of holding the request. Headers are
    bounded by the proxy in front (deploy/nginx.conf: client_header_timeout)."""

    @web.middleware
    async def read_in_time(request: web.Request, handler) -> web.StreamResponse:
        if request.body_exists and request.method in ("POST", "PUT", "PATCH"):
            try:
                await asyncio.wait_for(request.read(), seconds)  # kept: the handler's read() returns it
            except asyncio.TimeoutError:
                raise web.HTTPRequestTimeout(text="the request body was not sent in time",
                                             headers={"Connection": "close"})
        return await handler(request)

    return read_in_time


def hardened(app: web.Application) -> web.Application:
    """Headers on every response of ``app``."""
    app.on_response_prepare.append(add_security_headers)
    return app
