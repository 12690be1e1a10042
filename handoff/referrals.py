"""Referrals ("chuyển tuyến") to rescue and support partners.

Partners are the service directory (data/directory.yml, editable by operators): its confirmed
lines and services that serve this line's area. A referral
carries a case summary with only what the partner needs to act, never the transcript:
the situation in the counsellor's words, where the person is, their age if known,
whether and how they may be contacted, and whether they agreed to the referral. Its
status is tracked (open, sent, accepted, closed) until closed with an outcome.
"""
from __future__ import annotations

from typing import Any, Dict

from directory import Directory

RESCUE_NEEDS = {"emergency", "border", "abroad"}
STATUSES = ("open", "sent", "accepted", "closed")
SUMMARY_FIELDS = ("situation", "location", "age", "contact", "consent")


class ReferralError(ValueError):
    pass


def partners(directory: Directory) -> Dict[str, Dict[str, Any]]:
    """Directory entries a case can be referred to, with the kind of referral each takes."""
    out = {}
    for service in directory.partners():
        kind = "rescue" if RESCUE_NEEDS & set(service.needs) else "support"
        out[service.id] = {"name": service.name, "kind": kind, "phone": service.phone}
    return out


def summary(fields: Dict[str, Any]) -> Dict[str, Any]:
    """The case summary: the allowed fields only, checked."""
    situation = str(fields.get("situation") or "").strip()
    if not situation:
        raise ReferralError("Cần mô tả ngắn tình huống cho đơn vị tiếp nhận.")
    if fields.get("consent") not in (True, "emergency"):
        raise ReferralError("Cần sự đồng ý của người được hỗ trợ, hoặc ghi rõ là trường hợp khẩn cấp.")
    out = {key: fields.get(key) for key in SUMMARY_FIELDS if fields.get(key) not in (None, "")}
    out["situation"] = situation[:1000]
    return out


def summary_text(partner_name: str, data: Dict[str, Any], case_ref: str) -> str:
    """The Vietnamese text a counsellor sends to the partner."""
    lines = [f"CHUYỂN TUYẾN – mã hồ sơ {case_ref}", f"Đơn vị tiếp nhận: {partner_name}",
             f"Tình huống: {data['situation']}"]
    if data.get("location"):
        lines.append(f"Nơi ở hiện tại: {data['location']}")
    if data.get("age"):
        lines.append(f"Tuổi: {data['age']}")
    if data.get("contact"):
        lines.append(f"Liên hệ an toàn: {data['contact']}")
    lines.append("Đồng ý chuyển tuyến: " + ("có" if data["consent"] is True else "không hỏi được (khẩn cấp)"))
    return "\n".join(lines)
