"""The hotline's statistics, computed from the stored contacts (one per escalation).

The categories are the ones the hotlines report (see ../shared/seeds/): contacts
received; information; counselling (psychological, policy, services); referrals for
rescue and for support; victims supported (confirmed or suspected). Times are in
seconds from joining the queue: to the claim, and to the first counsellor reply,
as median and 90th percentile for each urgency.
"""
from __future__ import annotations

import csv
import io
import json
import math
import time
from collections import Counter
from typing import Any, Dict, List, Optional

import sqlalchemy as sa

from handoff.local_time import local_date, local_time
from handoff.outcomes import OUTCOMES
from handoff.store import Store
from handoff.store.tables import as_contact, contacts, conversations, events

CATEGORIES = ("information", "counselling_psychological", "counselling_policy", "counselling_services",
              "referral_rescue", "referral_support")
LABELS = {
    "contacts_received": "Số cuộc tiếp nhận",
    **{category: OUTCOMES[category] for category in CATEGORIES},  # the outcomes counsellors choose
    "victims_supported": "Nạn nhân được hỗ trợ",
    "unanswered_critical": "Trường hợp khẩn cấp chưa được nhận",
    "satisfied_share": "Tỷ lệ hài lòng",
}


UNKNOWN_PLACE = "không rõ"


def percentile(values: List[float], q: float) -> Optional[float]:
    """Nearest-rank percentile (q in 0..100); None without values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def _rows(store: Store, start: float, end: float, channel: Optional[str]) -> List[Dict[str, Any]]:
    query = (sa.select(contacts, conversations.c.channel)
             .join(conversations, conversations.c.id == contacts.c.conversation_id)
             .where(contacts.c.queued_at >= start, contacts.c.queued_at < end))
    if channel:
        query = query.where(conversations.c.channel == channel)
    with store.engine.connect() as db:
        rows = [as_contact(row) for row in db.execute(query)]
    # A burst dismissed as abuse (handoff/bursts.py) was never a contact received.
    return [r for r in rows if r["outcomes"] != ["abusive"]]


def _provinces(store: Store, contact_ids: List[int]) -> Dict[int, str]:
    """contact id -> the first province named in it (events of kind "place")."""
    if not contact_ids:
        return {}
    query = (sa.select(events.c.contact_id, events.c.detail).where(events.c.kind == "place",
                                                                   events.c.contact_id.in_(contact_ids))
             .order_by(events.c.id))
    found: Dict[int, str] = {}
    with store.engine.connect() as db:
        for contact_id, detail in db.execute(query):
            found.setdefault(contact_id, json.loads(detail).get("province"))
    return found


def statistics(store: Store, start: float, end: float, channel: Optional[str] = None) -> Dict[str, Any]:
    rows = _rows(store, start, end, channel)
    provinces = _provinces(store, [r["id"] for r in rows])
    counts: Counter = Counter()
    for row in rows:
        counts.update(set(row["outcomes"]) & set(CATEGORIES))
    surveyed = [r["survey_satisfied"] for r in rows if r["survey_satisfied"] is not None]
    times: Dict[str, Dict[str, Optional[float]]] = {}
    for priority in ("critical", "high", "normal"):
        mine = [r for r in rows if r["priority"] == priority]
        claim = [r["claimed_at"] - r["queued_at"] for r in mine if r["claimed_at"]]
        first = [r["first_response_at"] - r["queued_at"] for r in mine if r["first_response_at"]]
        times[priority] = {"contacts": len(mine), "claim_median_s": percentile(claim, 50),
                           "claim_p90_s": percentile(claim, 90), "first_response_median_s": percentile(first, 50),
                           "first_response_p90_s": percentile(first, 90)}
    return {
        "from": start, "to": end, "channel": channel,
        "contacts_received": len(rows),
        **{category: counts[category] for category in CATEGORIES},
        "victims_supported": sum(1 for r in rows if r["victim"] in ("confirmed", "suspected")),
        "unanswered_critical": sum(1 for r in rows if r["priority"] == "critical" and not r["claimed_at"]),
        "satisfied_share": round(sum(surveyed) / len(surveyed), 3) if surveyed else None,
        "surveyed": len(surveyed), "satisfied": sum(1 for answer in surveyed if answer),
        "by_channel": dict(sorted(Counter(r["channel"] for r in rows).items())),
        "by_province": dict(sorted(Counter(provinces.get(r["id"]) or UNKNOWN_PLACE for r in rows).items())),
        "times": times,
    }


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, float):
        return int(value) if value.is_integer() else round(value, 1)
    return value


def satisfaction(stats: Dict[str, Any]) -> str:
    """The satisfied share as a supervisor reads it: "71%" (a cell Excel takes as a percentage)."""
    if not stats.get("surveyed"):
        return "chưa có câu trả lời"
    return f"{round(100 * stats['satisfied'] / stats['surveyed'])}%"


# The waits of each urgency, as the CSV names them (seconds: a number a spreadsheet can sum).
TIMES = {"contacts": "số cuộc", "claim_median_s": "thời gian chờ đến khi được nhận, trung vị (giây)",
         "claim_p90_s": "thời gian chờ đến khi được nhận, 90% số cuộc không quá (giây)",
         "first_response_median_s": "thời gian đến câu trả lời đầu tiên, trung vị (giây)",
         "first_response_p90_s": "thời gian đến câu trả lời đầu tiên, 90% số cuộc không quá (giây)"}


def to_csv(stats: Dict[str, Any], exported_at: Optional[float] = None) -> str:
    """The figures as a Vietnamese supervisor reads them, one a line under "Chỉ số" and "Giá trị":
    the period in Vietnam days, then each figure, channels and provinces in words, the satisfied
    share as a percentage beside how many answered, the waits by urgency in seconds. No English
    code: the JSON (``statistics``) keeps those for programs. Encoded with a BOM by the route, so
    Excel shows the diacritics."""
    # The page's words, one copy; imported here because handoff.console imports this module.
    from handoff.console.vocabulary import CHANNELS, PRIORITIES

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Chỉ số", "Giá trị"])
    writer.writerow(["Từ ngày", local_date(stats["from"])])
    writer.writerow(["Đến ngày", local_date(stats["to"] - 1)])  # the period ends before "to"
    writer.writerow(["Kênh", CHANNELS.get(stats["channel"], stats["channel"]) if stats["channel"] else "Tất cả các kênh"])
    writer.writerow(["Xuất lúc (giờ Việt Nam)", local_time(exported_at if exported_at is not None else time.time())])
    for key in ("contacts_received", *CATEGORIES, "victims_supported", "unanswered_critical"):
        writer.writerow([LABELS[key], _cell(stats[key])])
    writer.writerow([LABELS["satisfied_share"], satisfaction(stats)])
    writer.writerow(["Số người trả lời khảo sát", stats.get("surveyed", 0)])
    writer.writerow(["Số người hài lòng", stats.get("satisfied", 0)])
    for channel, count in stats["by_channel"].items():
        writer.writerow([f"Số cuộc qua kênh {CHANNELS.get(channel, channel)}", count])
    for province, count in stats["by_province"].items():
        writer.writerow([f"Số cuộc từ {province}" if province != UNKNOWN_PLACE else "Số cuộc không rõ tỉnh, thành",
                         count])
    for priority, figures in stats["times"].items():
        for name, value in figures.items():
            writer.writerow([f"{PRIORITIES.get(priority, priority)}: {TIMES[name]}", _cell(value)])
    return out.getvalue()
