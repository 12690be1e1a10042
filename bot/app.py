"""The gateway: one aiohttp app, built by ``create_app``, serving the web chat, the
webhooks and the counsellor console (handoff/console/)."""
from __future__ import annotations

import asyncio
import contextlib
import html
import logging
import weakref
from pathlib import Path
from typing import AsyncIterator, Optional

import aiohttp
import uvloop
from aiohttp import web

from redis.asyncio import Redis

from directory import Directory, default_directory
from directory.messages import call_lines
from bot.channels import messenger as messenger_channel
from bot.channels import sms as sms_channel
from bot.channels import telegram as telegram_channel
from bot.channels import web as web_channel
from bot.channels import zalo as zalo_channel
from bot.channels.base import Inbox, Outbound
from bot.rasa_client import RasaClient
from bot.message_turn import MessageTurns
from bot.router import Router
from bot.turns import Turns
from handoff import console
from handoff.auth import Sessions, deny_unlisted
from handoff.connection import connect
from handoff.errors import StoreUnavailable
from handoff.bursts import BurstGuard
from handoff.retention import run_retention
from handoff.service import Handoff
from handoff.signin import HashPool, SignInThrottle
from handoff.texts import BOT_NAME
from handoff.watchdog import run_watchdog
from handoff.store import Store
from nlu.urgency import UrgencyDetector, default_detector
from shared import errors
from shared.config import Config
from shared.http_limits import HANDLER_ARGS, RUN_OPTIONS, hardened, read_body_within, refuse_encoded_bodies

STATIC = Path(__file__).resolve().parent / "static"
# Pages with directory placeholders, rendered before they are served (never as static files).
TEMPLATES = Path(__file__).resolve().parent / "templates"
logger = logging.getLogger(__name__)


@web.middleware
async def forwarded_scheme(request: web.Request, handler) -> web.StreamResponse:
    """Behind our reverse proxy only (TRUST_PROXY): the scheme the browser used, and its address
    (X-Real-IP, which deploy/nginx.conf sets; per-address limits count it)."""
    changes = {}
    proto = request.headers.get("X-Forwarded-Proto", "")
    if proto in ("http", "https"):
        changes["scheme"] = proto
    address = request.headers.get("X-Real-IP", "").strip()
    if address and len(address) <= 45:
        changes["remote"] = address
    return await handler(request.clone(**changes) if changes else request)


def create_app(
    config: Optional[Config] = None,
    detector: Optional[UrgencyDetector] = None,
    directory: Optional[Directory] = None,
    redis: Optional[Redis] = None,
    store: Optional[Store] = None,
    watchdog: bool = True,
) -> web.Application:
    """The gateway. Tests hand in their own Redis (another database number) and store."""
    config = config or Config.from_env()
    errors.quiet_protocol_errors()
    errors.quiet_client_urls()
    # 64 KiB is far above the longest message we accept; larger bodies get 413.
    middlewares = [forwarded_scheme] if config.trust_proxy else []
    # The proxy's middleware first: it clones the request, which must happen before any body is read.
    app = hardened(web.Application(middlewares=[*middlewares, refuse_encoded_bodies,
                                                read_body_within(config.body_timeout_s), deny_unlisted],
                                   client_max_size=64 * 1024, handler_args=HANDLER_ARGS))
    app["config"] = config
    app["directory"] = directory or default_directory(config.profile)
    app["sockets"] = weakref.WeakSet()

    async def services(app: web.Application) -> AsyncIterator[None]:
        own_redis = redis is None
        r = redis or connect(config.redis_url, config.redis_max_connections)
        s = store or Store.from_url(config.database_url)
        async with aiohttp.ClientSession() as session:
            rasa = RasaClient(session, config.rasa_url, config.rasa_timeout_s, config.rasa_token,
                              config.rasa_max_in_flight, config.rasa_admission_wait_s)
            outbound = Outbound(config)
            handoff = Handoff(r, s, config, deliver=outbound.deliver, bot=rasa, directory=app["directory"])
            # A turn outlasts the longest handling: two Rasa calls (answer, intake form), each after
            # its wait for admission, and the store.
            turns = Turns(r, lease_s=2 * (config.rasa_timeout_s + config.rasa_admission_wait_s) + 5)
            router = Router(rasa, detector or default_detector(), app["directory"], handoff,
                            MessageTurns(turns, handoff), config.rate_limit_per_min, config.reply_wait_s,
                            config.max_active_turns)
            inbox = Inbox(r, router, outbound)
            outbox = web_channel.Outbox(r)
            outbound.register(web_channel.CHANNEL, outbox.send, labels=True)  # the page labels each message
            telegram = telegram_channel.TelegramChannel(config, inbox) if config.telegram_mode != "off" else None
            if telegram:
                outbound.register(telegram_channel.CHANNEL, telegram.send)
                await telegram.start()
                if config.telegram_supervisor_chat:
                    handoff.supervisor_alerts.send = lambda text: outbound.deliver(
                        telegram_channel.CHANNEL, config.telegram_supervisor_chat, text)
            zalo = zalo_channel.ZaloChannel(config, inbox, session, r) if config.zalo_app_id else None
            if zalo:
                outbound.register(zalo_channel.CHANNEL, zalo.send)
            messenger = (messenger_channel.MessengerChannel(config, inbox, session, r)
                         if config.messenger_enabled else None)
            if messenger:  # it signs a counsellor's text itself: the author decides Meta's window
                outbound.register(messenger_channel.CHANNEL, messenger.send, labels=True)
            sms = sms_channel.SmsChannel(config, inbox, session, r, handoff) if config.kannel_sendsms_url else None
            if sms:
                outbound.register(sms_channel.CHANNEL, sms.send)
            # Password hashing in its own one-thread pool: a sign-in flood cannot take the database's.
            sessions = Sessions(r, s, config.session_ttl_s, hashes=HashPool(threads=1, queue=8),
                                throttle=SignInThrottle(r, max_wait_s=config.signin_max_wait_s))
            app["bursts"] = BurstGuard(r, config.new_conversations_per_address, config.new_conversations_total)
            app.update(web_outbox=outbox, handoff=handoff, rasa=rasa, store=s, sessions=sessions,
                       router=router, inbox=inbox, outbound=outbound, telegram=telegram, zalo=zalo, sms=sms,
                       messenger=messenger)
            tasks = [asyncio.create_task(run_watchdog(handoff.watchdog, config.watchdog_interval_s)),
                     asyncio.create_task(run_retention(s, config.retention_days))] if watchdog else []
            tasks.append(asyncio.create_task(handoff.spool.keep_draining()))  # SQL back after an outage
            yield
            await router.drain()  # answers still being pushed after their reply (bot/answers.py)
            if telegram:
                await telegram.stop()
            sessions.hashes.close()
            for task in tasks:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        if own_redis:
            await r.close()

    async def stop_long_requests(app: web.Application) -> None:
        # Runs before aiohttp waits for open requests: end long polls and console sockets now.
        app["stopping"].set()
        for ws in list(app["sockets"]):
            await ws.close()

    app["stopping"] = asyncio.Event()
    app.cleanup_ctx.append(services)
    app.on_shutdown.append(stop_long_requests)
    app.router.add_get("/", index)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_static("/static/", STATIC)
    web_channel.setup(app)
    telegram_channel.setup(app)
    zalo_channel.setup(app)
    messenger_channel.setup(app)
    sms_channel.setup(app)
    console.setup(app)
    return app


async def index(request: web.Request) -> web.Response:
    if "index_html" not in request.app:
        request.app["index_html"] = chat_page(request.app["directory"])
    return web.Response(text=request.app["index_html"], content_type="text/html")


def chat_page(directory: Directory) -> str:
    """The web chat's page with this profile's numbers: the police, this line and the national 111."""
    hint = "".join(f' · {html.escape(e.name)}, miễn phí 24/24: <a href="tel:{e.phone}">{e.phone}</a>'
                   for e in directory.hotline_entries())
    page = (TEMPLATES / "index.html").read_text(encoding="utf-8")
    page = page.replace("[[hint_lines]]", hint).replace("[[call_lines]]", html.escape(call_lines(directory)))
    page = page.replace("[[bot_name]]", html.escape(BOT_NAME))  # the label of the bot's messages
    return directory.render(page)


async def healthz(request: web.Request) -> web.Response:
    """Liveness: the process serves requests (restart it when this fails)."""
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    """Readiness: 503 while Redis is unreachable (a load balancer sends the traffic elsewhere).
    "degraded", still ready, while Rasa is down (this gateway still stores every message,
    escalates urgent ones and answers the others with the hotline numbers) or while the
    transcript store is: its writes wait in Redis (handoff/spool.py; ``spooled``: how many), and
    every gateway shares the store, so taking them all out would leave nobody answered."""
    app = request.app
    checks, body = {}, {}
    try:
        await asyncio.wait_for(app["handoff"].redis.ping(), 3)
        checks["redis"] = "ok"
        body["spooled"] = await app["handoff"].spool.pending()
    except Exception as error:  # any failure means not ready; the reason is the type only
        checks["redis"] = type(error).__name__
    try:
        await asyncio.wait_for(app["store"].run(app["store"].ping), 3)
        checks["store"] = "ok" if not body.get("spooled") else "catching_up"
    except Exception as error:
        kind = str(error) if isinstance(error, StoreUnavailable) else type(error).__name__  # the driver's kind
        checks["store"] = f"buffered_in_redis ({kind})" if checks["redis"] == "ok" else kind
    checks["rasa"] = "ok" if await app["rasa"].ready() else "unreachable"
    ready = checks["redis"] == "ok"
    status = ("ok" if all(v == "ok" for v in checks.values()) else "degraded") if ready else "unavailable"
    return web.json_response({"status": status, "checks": checks, **body}, status=200 if ready else 503)


def serve(config: Optional[Config] = None) -> None:
    config = config or Config.from_env()
    errors.init(config.sentry_dsn, config.sentry_environment)
    logger.info("gateway on http://%s:%d/", config.host, config.port)
    # uvloop (installed with Rasa's Sanic) cuts the gateway's CPU per message by about a tenth
    # (docs/performance.md, "How the goals were reached").
    web.run_app(create_app(config), host=config.host, port=config.port, print=None, loop=uvloop.new_event_loop(),
                **RUN_OPTIONS)
