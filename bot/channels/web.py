"""The web chat channel: `POST /webhooks/web` {"sender", "text"} -> {"messages": [{"text"}]}."""
from __future__ import annotations

import json
import logging
from typing import Any, Dict

from aiohttp import web

from bot.config import Config
from bot.router import Router

logger = logging.getLogger(__name__)


class BadRequest(Exception):
    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(code)
        self.code, self.message, self.status = code, message, status


def parse_body(raw: bytes, config: Config) -> Dict[str, str]:
    """Validate a web chat request; errors say what is wrong, never echo the content."""
    try:
        body = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise BadRequest("invalid_encoding", "Nội dung phải được mã hóa UTF-8.")
    except ValueError:
        raise BadRequest("invalid_json", "Nội dung gửi lên không phải JSON hợp lệ.")
    if not isinstance(body, dict):
        raise BadRequest("invalid_body", 'Cần một đối tượng JSON dạng {"sender": "...", "text": "..."}.')
    sender, text = body.get("sender"), body.get("text")
    if not isinstance(sender, str) or not sender.strip() or len(sender) > config.max_sender_chars:
        raise BadRequest("invalid_sender", "Thiếu hoặc sai mã người gửi (sender).")
    if not isinstance(text, str):
        raise BadRequest("invalid_text", "Thiếu nội dung tin nhắn (text).")
    text = text.replace("\x00", "").strip()
    if not text:
        raise BadRequest("empty_text", "Tin nhắn đang trống, bạn hãy nhập nội dung.", status=422)
    if len(text) > config.max_message_chars:
        raise BadRequest(
            "text_too_long",
            f"Tin nhắn dài quá {config.max_message_chars} ký tự, bạn hãy chia thành nhiều tin ngắn hơn.",
            status=413,
        )
    return {"sender": sender.strip(), "text": text}


def error_response(error: BadRequest) -> web.Response:
    return web.json_response({"error": error.code, "message": error.message}, status=error.status)


async def handle_web_message(request: web.Request) -> web.Response:
    config: Config = request.app["config"]
    router: Router = request.app["router"]
    try:
        body = parse_body(await request.read(), config)
    except BadRequest as error:
        logger.info("web request refused: %s", error.code)
        return error_response(error)
    replies, _urgency = await router.handle("web:" + body["sender"], body["text"])
    return web.json_response({"messages": [{"text": r} for r in replies]})


def setup(app: web.Application) -> None:
    app.router.add_post("/webhooks/web", handle_web_message)
