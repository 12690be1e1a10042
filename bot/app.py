"""The gateway: one aiohttp app, built by ``create_app``, serving the web chat and webhooks."""
from __future__ import annotations

import logging
from pathlib import Path
from typing import AsyncIterator, Optional

import aiohttp
from aiohttp import web

from actions.directory import ServiceDirectory, default_directory
from bot.channels import web as web_channel
from bot.config import Config
from bot.rasa_client import RasaClient
from bot.router import Router
from nlu.urgency import UrgencyDetector, default_detector

STATIC = Path(__file__).resolve().parent / "static"
logger = logging.getLogger(__name__)

# The page holds nothing from elsewhere: scripts, styles and requests stay on this origin.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


@web.middleware
async def security_headers(request: web.Request, handler) -> web.StreamResponse:
    response = await handler(request)
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def create_app(
    config: Optional[Config] = None,
    detector: Optional[UrgencyDetector] = None,
    directory: Optional[ServiceDirectory] = None,
) -> web.Application:
    config = config or Config.from_env()
    # 64 KiB is far above the longest message we accept; larger bodies get 413.
    app = web.Application(middlewares=[security_headers], client_max_size=64 * 1024)
    app["config"] = config

    async def rasa_context(app: web.Application) -> AsyncIterator[None]:
        async with aiohttp.ClientSession() as session:
            rasa = RasaClient(session, config.rasa_url, config.rasa_timeout_s)
            app["router"] = Router(rasa, detector or default_detector(), directory or default_directory())
            yield

    app.cleanup_ctx.append(rasa_context)
    app.router.add_get("/", index)
    app.router.add_get("/healthz", healthz)
    app.router.add_static("/static/", STATIC)
    web_channel.setup(app)
    return app


async def index(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC / "index.html")


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


def serve(config: Optional[Config] = None) -> None:
    config = config or Config.from_env()
    logger.info("gateway on http://%s:%d/", config.host, config.port)
    web.run_app(create_app(config), host=config.host, port=config.port, print=None)
