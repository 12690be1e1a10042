"""Phone calls and walk-ins, logged by a counsellor after they end (docs/cases.md).

A logged call is a contact like a chat's, so every statistic counts it the same way: its
conversation has channel ``phone`` or ``walk_in`` and a random sender (no phone number is kept);
it was queued, claimed and answered when it started, closed when it ended, by the counsellor who
logs it. Its words, if the counsellor writes any, are a private note in its transcript."""
from __future__ import annotations

import secrets
import time
from typing import Any, Dict, Mapping, Optional

from handoff.closing import record
from handoff.errors import HandoffError
from handoff.framework import LOGGED_CHANNELS
from handoff.store import Store

MAX_DURATION_MIN = 24 * 60
PRIORITIES = ("critical", "high", "normal")


def call_lines(directory) -> Dict[str, str]:
    """The numbers a logged call may have come in on (number -> name): this line, and the
    national one when this is a provincial line."""
    return {entry.phone: entry.name for entry in directory.hotline_entries()}


def _duration_s(body: Mapping[str, Any]) -> float:
    minutes = body.get("duration_min")
    if isinstance(minutes, bool) or not isinstance(minutes, (int, float)) or not 0 <= minutes <= MAX_DURATION_MIN:
        raise HandoffError("invalid_duration", "Hãy nhập thời lượng cuộc gọi (số phút, tối đa 24 giờ).", 400)
    return float(minutes) * 60


def log_call(store: Store, body: Mapping[str, Any], counsellor: str, lines: Mapping[str, str],
             started_at: Optional[float], note: str = "") -> Dict[str, Any]:
    """Write one logged contact; ``lines``: the numbers a call may come in on (number -> name);
    ``started_at`` None: it ended now. Returns the stored contact."""
    channel = body.get("channel")
    if channel not in LOGGED_CHANNELS:
        raise HandoffError("invalid_channel", "Hãy chọn cuộc gọi điện thoại hoặc gặp trực tiếp.", 400)
    line = body.get("line") or None
    if channel == "phone" and line not in lines:
        raise HandoffError("invalid_line", "Hãy chọn số đường dây nhận cuộc gọi.", 400)
    priority = body.get("priority") or "normal"
    if priority not in PRIORITIES:
        raise HandoffError("invalid_priority", "Mức khẩn cấp không hợp lệ.", 400)
    duration = _duration_s(body)
    columns = record(body)
    start = started_at if started_at is not None else time.time() - duration
    if start > time.time() + 60:
        raise HandoffError("invalid_start", "Thời điểm bắt đầu cuộc gọi không thể ở tương lai.", 400)
    cid = secrets.token_hex(16)
    cid, _ = store.find_or_create_conversation(channel, f"logged-{secrets.token_hex(8)}", cid)
    contact_id = store.open_contact(cid, priority, "logged", [], None, start)
    store.update_contact(contact_id, claimed_at=start, first_response_at=start, closed_at=start + duration,
                         counsellor=counsellor, line=line if channel == "phone" else None, duration_s=duration,
                         **columns)
    store.add_event(cid, "logged", None, None, counsellor, contact_id, time.time(), channel=channel,
                    outcomes=columns["outcomes"], contact_type=columns["contact_type"])
    if note:
        store.add_message(cid, "note", note, author=counsellor, contact_id=contact_id, at=start + duration)
    return {**store.contact(contact_id), "channel": channel}
