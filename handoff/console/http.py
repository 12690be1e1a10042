"""What every console route shares: JSON bodies, error answers, periods, masked senders."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any, Dict, NoReturn, Optional, Tuple

from aiohttp import web

from handoff.auth import api_error
from handoff.errors import HandoffError
from handoff.local_time import HOTLINE_TZ, day_start  # noqa: F401 (HOTLINE_TZ: re-exported)
from shared.payload import NotAnObject, json_object

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
MAX_REPLY_CHARS = 4000


def mask(sender: str) -> str:
    """Channel user ids and phone numbers are shown masked: the last 3 characters."""
    return "•••" + sender[-3:] if len(sender) > 3 else "•••"


async def read_json(request: web.Request) -> Dict[str, Any]:
    try:
        return json_object(await request.read())
    except NotAnObject as error:
        message = "Cần một đối tượng JSON." if error.code == "invalid_body" else "Dữ liệu gửi lên không hợp lệ."
        code = "invalid_body" if error.code == "invalid_body" else "invalid_json"
        raise web.HTTPBadRequest(text=json.dumps({"error": code, "message": message}), content_type="application/json")


def refuse(status: int, code: str, message: str) -> NoReturn:
    """Stop a console step with an API error (answered by the route wrapper)."""
    raise HandoffError(code, message, status)


def handoff_error(error: HandoffError) -> web.Response:
    return api_error(error.status, error.code, error.message)


def not_found() -> web.Response:
    return api_error(404, "not_found", "Không tìm thấy cuộc trò chuyện.")


def period(request: web.Request) -> Tuple[float, float, Optional[str]]:
    """[from, to) in epoch seconds from ?from=YYYY-MM-DD&to=YYYY-MM-DD (both days included), and ?channel=."""
    try:
        first = dt.date.fromisoformat(request.query["from"])
        last = dt.date.fromisoformat(request.query["to"])
    except (KeyError, ValueError):
        raise web.HTTPBadRequest(text=json.dumps({"error": "invalid_period",
                                                  "message": "Cần from và to dạng YYYY-MM-DD."}),
                                 content_type="application/json")
    return day_start(first), day_start(last + dt.timedelta(days=1)), request.query.get("channel") or None


def days(request: web.Request) -> Tuple[Optional[float], Optional[float]]:
    """Like ``period`` with each end optional: [from, to) in epoch seconds, None where not given."""
    try:
        first = dt.date.fromisoformat(request.query["from"]) if request.query.get("from") else None
        last = dt.date.fromisoformat(request.query["to"]) if request.query.get("to") else None
    except ValueError:
        raise web.HTTPBadRequest(text=json.dumps({"error": "invalid_period",
                                                  "message": "Ngày cần dạng YYYY-MM-DD."}),
                                 content_type="application/json")
    return (day_start(first) if first else None,
            day_start(last + dt.timedelta(days=1)) if last else None)

