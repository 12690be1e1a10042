"""Error reports to Sentry, with the people left out.

Off unless SENTRY_DSN is set. sentry-sdk can attach request bodies, query strings, headers
and local variables; for a hotline whose requests carry victims' words and phone numbers all
of that is turned off. sentry-sdk 2's ``EventScrubber`` then removes values under sensitive
keys (its own list: tokens, passwords, cookies…, and ours: texts, phones, senders), and
``before_send`` / ``before_breadcrumb`` scrub what is left: the request is reduced to its method and
path, SQL parameters (which hold message texts) are cut from exception messages, and
phone numbers (0xx…, +84…), citizen ID numbers (CCCD, 12 digits), long numeric ids
(Telegram chats, Zalo users) and session UUIDs are replaced in every string.
"""
from __future__ import annotations

import logging
import re
from typing import Any, Dict, Optional

PHONE = re.compile(r"(?<![\w])(?:\+?84|0)(?:[\s.\-]?\d){8,10}(?!\d)")
LONG_NUMBER = re.compile(r"(?<!\w)-?\d{9,}(?!\w)")  # CCCD (12), chat and user ids
UUID = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", re.IGNORECASE)
# SQLAlchemy appends the bound values of the failed statement: those are message texts.
SQL_PARAMETERS = re.compile(r"\[parameters:.*?\](?=\s*(\(Background|\Z|\n))", re.DOTALL)
MAX_STRING = 500
REDACTED = "[đã ẩn]"
# Keys whose values hold what people wrote or who they are, wherever they appear in an event.
PERSONAL_KEYS = ["text", "message_text", "body", "phone", "msisdn", "sender", "sender_id", "chat_id",
                 "user_id", "from", "to", "caller", "contact", "transcript"]


def scrub_text(text: str) -> str:
    text = SQL_PARAMETERS.sub("[parameters: " + REDACTED + "]", text)
    text = PHONE.sub(REDACTED, text)
    text = LONG_NUMBER.sub(REDACTED, text)
    text = UUID.sub(REDACTED, text)
    return text[:MAX_STRING]


def scrub(value: Any) -> Any:
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, dict):
        return {k: scrub(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [scrub(v) for v in value]
    return value


def before_send(event: Dict[str, Any], hint: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
    request = event.get("request") or {}
    if request:
        url = str(request.get("url") or "").split("?", 1)[0]
        event["request"] = {"method": request.get("method"), "url": url}
    for key in ("user", "extra", "server_name"):
        event.pop(key, None)
    for exception in (event.get("exception") or {}).get("values") or []:
        for frame in (exception.get("stacktrace") or {}).get("frames") or []:
            frame.pop("vars", None)
    crumbs = event.get("breadcrumbs")
    if isinstance(crumbs, dict):
        crumbs["values"] = [before_breadcrumb(c) for c in crumbs.get("values") or []]
    return scrub(event)


def before_breadcrumb(crumb: Dict[str, Any], hint: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
    # Breadcrumb data holds SQL parameters, Redis arguments and URLs with query strings.
    kept = {k: crumb[k] for k in ("type", "category", "level", "timestamp") if k in crumb}
    if crumb.get("message"):
        kept["message"] = scrub_text(str(crumb["message"]))
    return kept


def init(dsn: str, environment: str = "production") -> bool:
    """Start reporting to Sentry; False (and nothing sent) when no DSN is configured."""
    if not dsn:
        return False
    import sentry_sdk
    from sentry_sdk.integrations.aiohttp import AioHttpIntegration
    from sentry_sdk.integrations.logging import LoggingIntegration
    from sentry_sdk.scrubber import DEFAULT_DENYLIST, EventScrubber

    sentry_sdk.init(
        dsn=dsn, environment=environment, send_default_pii=False, include_local_variables=False,
        max_request_body_size="never", include_source_context=False,
        event_scrubber=EventScrubber(denylist=[*DEFAULT_DENYLIST, *PERSONAL_KEYS], recursive=True),
        before_send=before_send, before_breadcrumb=before_breadcrumb, attach_stacktrace=False,
        integrations=[AioHttpIntegration(), LoggingIntegration(level=logging.INFO, event_level=logging.ERROR)],
    )
    return True


class _ProtocolErrors(logging.Filter):
    """aiohttp logs a request it cannot parse at ERROR, quoting the raw bytes, which may hold a
    message or a phone number. It is the client's fault, not ours: logged at INFO, by kind only."""

    def filter(self, record: logging.LogRecord) -> bool:
        from aiohttp.http_exceptions import HttpProcessingError

        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, HttpProcessingError):
            record.msg, record.args, record.exc_info, record.exc_text = (
                "malformed HTTP request refused (%s)", (type(error).__name__,), None, None)
            record.levelno, record.levelname = logging.INFO, "INFO"
        return True


# HTTP client libraries log every request URL at INFO (httpx) or DEBUG (httpcore); Telegram's bot
# token is part of its API URLs, so these loggers only ever say what failed. python-telegram-bot's
# DEBUG lines carry the messages it sends: they stop at INFO.
CLIENT_LOG_LEVELS = {"httpx": logging.WARNING, "httpcore": logging.WARNING, "telegram": logging.INFO}


def quiet_client_urls() -> None:
    for name, level in CLIENT_LOG_LEVELS.items():
        logging.getLogger(name).setLevel(level)


def quiet_protocol_errors() -> None:
    server = logging.getLogger("aiohttp.server")
    if not any(isinstance(f, _ProtocolErrors) for f in server.filters):
        server.addFilter(_ProtocolErrors())
