"""The action server: rasa-sdk's executor behind our own aiohttp server.

`python -m actions.server` replaces `python -m rasa_sdk` because rasa-sdk's Sanic server listens
on every interface, asks for no token and inflates a deflate body without a bound. Here the
server listens on ACTION_HOST (loopback by default), answers only requests that carry
ACTION_SERVER_TOKEN, refuses compressed and oversized bodies, and runs the same executor with
the same answers, so Rasa 3.6 speaks to it as to rasa-sdk's own (docs/deploy.md, "Two runtimes").
"""
from __future__ import annotations

import argparse
import hmac
import json
import logging
from typing import Optional

from aiohttp import web
from rasa_sdk.executor import ActionExecutor
from rasa_sdk.interfaces import ActionExecutionRejection, ActionMissingDomainException, ActionNotFoundException

from shared.config import Config
from shared.http_limits import HANDLER_ARGS, RUN_OPTIONS, hardened, refuse_encoded_bodies

# A tracker with a long conversation and the domain: well above what Rasa sends, far below harm.
MAX_BODY = 4 * 1024 * 1024
logger = logging.getLogger(__name__)


def authorised(request: web.Request, token: str) -> bool:
    if not token:
        return True
    given = request.headers.get("Authorization", "")
    return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())


def create_app(token: str, package: str = "actions") -> web.Application:
    executor = ActionExecutor()
    executor.register_package(package)

    @web.middleware
    async def require_token(request: web.Request, handler):
        if request.path != "/health" and not authorised(request, token):
            return web.json_response({"error": "unauthorised"}, status=401)
        return await handler(request)

    async def webhook(request: web.Request) -> web.Response:
        try:
            call = json.loads(await request.read())
        except ValueError:
            return web.json_response({"error": "the body is not JSON"}, status=400)
        if not isinstance(call, dict) or not isinstance(call.get("next_action"), str):
            return web.json_response({"error": "expected an action call"}, status=400)
        try:
            result = await executor.run(call)
        except ActionExecutionRejection as error:
            return web.json_response({"error": error.message, "action_name": error.action_name}, status=400)
        except ActionNotFoundException as error:
            return web.json_response({"error": error.message, "action_name": error.action_name}, status=404)
        except ActionMissingDomainException as error:
            return web.json_response({"error": error.message, "action_name": error.action_name}, status=449)
        return web.json_response(result.model_dump() if result else None)

    async def health(request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    app = hardened(web.Application(middlewares=[refuse_encoded_bodies, require_token],
                                   client_max_size=MAX_BODY, handler_args=HANDLER_ARGS))
    app.router.add_post("/webhook", webhook)
    app.router.add_get("/health", health)
    return app


def main(argv: Optional[list] = None) -> None:
    config = Config.from_env()
    parser = argparse.ArgumentParser(prog="python -m actions.server")
    parser.add_argument("--host", default=config.action_host)
    parser.add_argument("--port", type=int, default=config.action_port)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    if not config.action_token:
        logger.warning("ACTION_SERVER_TOKEN is not set: any local process can call the actions")
    web.run_app(create_app(config.action_token), host=args.host, port=args.port, print=None, **RUN_OPTIONS)


if __name__ == "__main__":
    main()
