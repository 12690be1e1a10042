"""Telegram, with python-telegram-bot v22, both ways.

Webhook mode: Telegram POSTs updates to /webhooks/telegram. The secret token header is
compared in constant time before the body is read; a wrong or missing one gets 403.
The update is handled (stored in the transcript, answered) before we answer 200, and a
failure answers 500 so Telegram retries (it does so for up to a day). Duplicates are
recognised by the set of update_ids seen (kept 7 days), never by "higher than the
last", since Telegram restarts its ids at random after a quiet week.

Polling mode: for a laptop without a public URL, the gateway asks Telegram for updates
(PTB's Updater) and the same handlers run.

The Bot API base URL is configurable (TELEGRAM_API_URL), so tests run against a local
fake that speaks the Bot API's JSON.
"""
from __future__ import annotations

import hmac
import json
import logging
from typing import List

from aiohttp import web
from telegram import Update
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes, TypeHandler

from bot.channels.base import Inbound, Inbox, PermanentFailure, provider_route, split_text
from handoff.texts import GREETING, NOT_TEXT
from shared.config import Config

logger = logging.getLogger(__name__)

CHANNEL = "telegram"
MAX_CHARS = 4096
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class TelegramChannel:
    def __init__(self, config: Config, inbox: Inbox) -> None:
        self.config, self.inbox = config, inbox
        builder = (ApplicationBuilder().token(config.telegram_token)
                   .base_url(f"{config.telegram_api_url}/bot").base_file_url(f"{config.telegram_api_url}/file/bot"))
        if config.telegram_mode != "polling":
            builder = builder.updater(None)
        self.application: Application = builder.build()
        # One handler for every update, as in PTB's examples; it dispatches by kind below.
        self.application.add_handler(TypeHandler(Update, self._on_update))
        self._initialised = False

    async def start(self) -> None:
        try:
            await self.application.initialize()  # getMe: checks the token
            self._initialised = True
        except TelegramError as error:
            logger.error("telegram: could not initialise (%s); sends will retry", type(error).__name__)
            return
        if self.config.telegram_mode == "polling":
            await self.application.start()
            await self.application.updater.start_polling(allowed_updates=["message", "edited_message"])

    async def stop(self) -> None:
        if self.application.updater and self.application.updater.running:
            await self.application.updater.stop()
        if self.application.running:
            await self.application.stop()
        if self._initialised:
            await self.application.shutdown()

    # --- in ------------------------------------------------------------------------
    async def webhook(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not self.config.telegram_secret or not hmac.compare_digest(given.encode(), self.config.telegram_secret.encode()):
            logger.info("telegram webhook refused: bad secret token")
            return web.json_response({"error": "forbidden"}, status=403)
        try:
            data = json.loads((await request.read()).decode("utf-8"))
            valid = isinstance(data, dict) and type(data.get("update_id")) is int  # bool is an int too
            update = Update.de_json(data, self.application.bot) if valid else None
        except Exception:  # whatever the shape, it is not an update
            update = None
        if update is None:
            logger.info("telegram webhook refused: malformed update")
            return web.json_response({"error": "invalid_update"}, status=400)
        await self.handle(update)  # an exception here answers 500: Telegram will retry
        return web.json_response({"ok": True})

    async def _on_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        try:
            await self.handle(update)
        except Exception as error:  # polling: PTB has moved past this update; say so loudly
            logger.error("telegram update not handled: %s", type(error).__name__)

    async def handle(self, update: Update) -> None:
        message = update.effective_message
        chat = update.effective_chat
        if message is None or chat is None or chat.type != "private":
            return  # groups and channels are not for counselling
        sender = str(chat.id)
        if message.text and message.text.strip().split()[0] in ("/start", "/batdau"):
            if await self.inbox.first_time(CHANNEL, str(update.update_id)):
                await self.inbox.answer(CHANNEL, sender, GREETING)
            return
        attachments = tuple(kind for kind in ("photo", "document", "voice", "audio", "video", "sticker", "location",
                                              "contact") if getattr(message, kind, None))
        text = message.text or message.caption or ""
        if message.location:
            text = (text + "\n" if text else "") + (
                f"[Vị trí được chia sẻ: {message.location.latitude:.5f}, {message.location.longitude:.5f}]")
        if not text.strip():
            await self.inbox.answer(CHANNEL, sender, NOT_TEXT)
            return
        inbound = Inbound(CHANNEL, sender, text[: self.config.max_message_chars], str(update.update_id),
                          message.date.timestamp() if message.date else 0.0, attachments)
        await self.inbox.handle(inbound, send=lambda replies: self.answer_all(sender, replies))

    async def answer_all(self, sender: str, replies: List[str]) -> None:
        for reply in replies:
            await self.inbox.answer(CHANNEL, sender, reply)

    # --- out -----------------------------------------------------------------------
    async def send(self, sender: str, text: str) -> None:
        if not self._initialised:  # Telegram was unreachable at start; a failure here is retried
            await self.application.initialize()
            self._initialised = True
        for part in split_text(text, MAX_CHARS):
            try:
                await self.application.bot.send_message(chat_id=int(sender), text=part)
            except (Forbidden, BadRequest) as error:  # blocked by the user, chat gone: final
                raise PermanentFailure(type(error).__name__) from error


def setup(app: web.Application) -> None:
    app.router.add_post("/webhooks/telegram", provider_route("telegram", "webhook"))
