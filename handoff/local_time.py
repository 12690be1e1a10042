"""The hotline's own clock: days and times as a Vietnamese reader writes them, in Vietnam time
whatever the server's zone (containers run in UTC)."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

HOTLINE_TZ = "Asia/Ho_Chi_Minh"  # periods are the hotline's own days
ZONE = ZoneInfo(HOTLINE_TZ)


def local_datetime(ts: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(ts, ZONE)


def local_time(ts: float) -> str:
    """03/12/2026 15:42: day first, 24-hour clock."""
    return local_datetime(ts).strftime("%d/%m/%Y %H:%M")


def local_date(ts: float) -> str:
    return local_datetime(ts).strftime("%d/%m/%Y")


def day_start(day: dt.date) -> float:
    """The epoch second a hotline day begins."""
    return dt.datetime.combine(day, dt.time(), ZONE).timestamp()
