"""The hotline's statistics, computed from the stored contacts (one per escalated chat, logged
call or walk-in: docs/cases.md).

The categories are the ones the hotlines report (see ../shared/seeds/): contacts
received; information; counselling (psychological, policy, services); referrals for
rescue and for support; victims supported (confirmed or suspected). Times are in
seconds from joining the queue: to the claim, and to the first counsellor reply,
as median and 90th percentile for each urgency.

As the 111 line's figures do, counselling and non-counselling contacts are shown apart (the
``counselling`` flag of each contact type in data/contact_framework.yml), the non-counselling
ones by type; and each category is split into calls (phone, walk-in) and chats (every other
channel). A contact gets its type when it is closed: until then it is counted in neither kind,
but under ``untyped_contacts``.
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

from directory.languages import name as language_name
from handoff.framework import LOGGED_CHANNELS, codes, is_counselling, labels
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
    "counselling_contacts": "Số cuộc tư vấn",
    "non_counselling_contacts": "Số cuộc không phải tư vấn",
    "untyped_contacts": "Số cuộc chưa kết thúc, chưa phân loại",
}
# The two halves of ``calls_and_chats``: phone and walk-in, and every written channel.
CALLS_AND_CHATS = {"calls": "Cuộc gọi", "chats": "Tin nhắn, trò chuyện"}


UNKNOWN_PLACE = "không rõ"


def percentile(values: List[float], q: float) -> Optional[float]:
    """Nearest-rank percentile (q in 0..100); None without values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def contacts_in_period(store: Store, start: float, end: float, channel: Optional[str] = None) -> List[Dict[str, Any]]:
    """The contacts received in [start, end), each with its channel: what every report counts."""
    query = (sa.select(contacts, conversations.c.channel)
             .join(conversations, conversations.c.id == contacts.c.conversation_id)
             .where(contacts.c.queued_at >= start, contacts.c.queued_at < end))
    if channel:
        query = query.where(conversations.c.channel == channel)
    with store.engine.connect() as db:
        rows = [as_contact(row) for row in db.execute(query)]
    # A burst dismissed as abuse (handoff/bursts.py) was never a contact received.
    return [r for r in rows if r["outcomes"] != ["abusive"]]


def _named_provinces(store: Store, contact_ids: List[int]) -> Dict[int, str]:
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


def contact_provinces(store: Store, rows: List[Dict[str, Any]]) -> Dict[int, str]:
    """contact id -> its province: the one the counsellor recorded at closing, else the first one
    the person named (a chat closed before the form asked, or closed without it)."""
    named = _named_provinces(store, [r["id"] for r in rows if not r.get("province")])
    return {r["id"]: r.get("province") or named.get(r["id"]) or UNKNOWN_PLACE for r in rows}


def is_call(row: Dict[str, Any]) -> bool:
    return row["channel"] in LOGGED_CHANNELS


def category_counts(rows: List[Dict[str, Any]]) -> Dict[str, int]:
    """Contacts received and each category (a contact counts once in each outcome it has)."""
    counts: Counter = Counter()
    for row in rows:
        counts.update(set(row["outcomes"]) & set(CATEGORIES))
    return {"contacts_received": len(rows), **{category: counts[category] for category in CATEGORIES}}


def contact_types(rows: List[Dict[str, Any]]) -> Dict[str, Any]:
    """Counselling and non-counselling contacts, every type of the framework (zeros included),
    and the contacts not closed yet (no type)."""
    typed = Counter(r["contact_type"] for r in rows if r["contact_type"])
    by_type = {code: typed.get(code, 0) for code in codes("contact_types")}
    by_type.update(typed)  # a type taken out of the file since keeps its contacts
    return {"counselling_contacts": sum(n for code, n in by_type.items() if is_counselling(code)),
            "non_counselling_contacts": sum(n for code, n in by_type.items() if not is_counselling(code)),
            "untyped_contacts": len(rows) - sum(typed.values()),
            "by_contact_type": by_type}


def statistics(store: Store, start: float, end: float, channel: Optional[str] = None) -> Dict[str, Any]:
    rows = contacts_in_period(store, start, end, channel)
    places = contact_provinces(store, rows)
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
        **category_counts(rows),
        "victims_supported": sum(1 for r in rows if r["victim"] in ("confirmed", "suspected")),
        "unanswered_critical": sum(1 for r in rows if r["priority"] == "critical" and not r["claimed_at"]),
        "satisfied_share": round(sum(surveyed) / len(surveyed), 3) if surveyed else None,
        "surveyed": len(surveyed), "satisfied": sum(1 for answer in surveyed if answer),
        "by_channel": dict(sorted(Counter(r["channel"] for r in rows).items())),
        # The language each contact was written in (nlu/language.py); "vi" when none was noted.
        "by_language": dict(sorted(Counter(r.get("language") or "vi" for r in rows).items())),
        "by_province": dict(sorted(Counter(places.values()).items())),
        "times": times,
        **contact_types(rows),
        "calls_and_chats": {"calls": category_counts([r for r in rows if is_call(r)]),
                            "chats": category_counts([r for r in rows if not is_call(r)])},
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
    the period in Vietnam days, then each figure, the satisfied share as a percentage beside how
    many answered, counselling and non-counselling contacts and each type, each figure of calls
    and of chats, channels and provinces in words, the waits by urgency in seconds. No English
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
    for key in ("counselling_contacts", "non_counselling_contacts", "untyped_contacts"):
        writer.writerow([LABELS[key], stats[key]])
    type_names = labels("contact_types")
    for code, count in stats["by_contact_type"].items():
        writer.writerow([f"Loại liên hệ: {type_names.get(code, code)}", count])
    for half, name in CALLS_AND_CHATS.items():
        for key, count in stats["calls_and_chats"][half].items():
            writer.writerow([f"{name}: {LABELS[key]}", count])
    for channel, count in stats["by_channel"].items():
        writer.writerow([f"Số cuộc qua kênh {CHANNELS.get(channel, channel)}", count])
    for code, count in stats["by_language"].items():
        writer.writerow([f"Số cuộc bằng {language_name(code)}", count])
    for province, count in stats["by_province"].items():
        writer.writerow([f"Số cuộc từ {province}" if province != UNKNOWN_PLACE else "Số cuộc không rõ tỉnh, thành",
                         count])
    for priority, figures in stats["times"].items():
        for name, value in figures.items():
            writer.writerow([f"{PRIORITIES.get(priority, priority)}: {TIMES[name]}", _cell(value)])
    return out.getvalue()
