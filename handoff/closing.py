"""What a counsellor records about a contact when it ends, one form for a chat's closing and for a
logged call or walk-in (docs/cases.md): its type, outcomes, the victim status, main category, the
person's age group, sex and province. ``record`` checks a request's fields and gives the
contact's columns, or refuses with a message the counsellor can act on."""
from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional

from handoff.errors import HandoffError
from handoff.framework import codes, is_counselling
from handoff.outcomes import OUTCOMES, VICTIM_STATUS
from handoff.places import provinces

# Outcomes a counselling contact may have (the others are set by the system: handoff/outcomes.py).
COUNSELLING_OUTCOMES = [o for o in OUTCOMES if o not in ("no_counselling", "abusive")]


def derived_type(outcomes: List[str]) -> str:
    """The type of a contact closed without one (an API client of before issue 17)."""
    if any(o.startswith(("counselling_", "referral_")) for o in outcomes):
        return "counselling"
    return "abusive" if outcomes == ["abusive"] else "information"


def _choice(body: Mapping[str, Any], name: str, allowed, message: str, default: Optional[str] = None
            ) -> Optional[str]:
    value = body.get(name)
    if value in (None, ""):
        return default
    if not isinstance(value, str) or value not in allowed:
        raise HandoffError(f"invalid_{name}", message, 400)
    return value


def record(body: Mapping[str, Any]) -> Dict[str, Any]:
    """The contact's recorded columns from a close or log-call request (outcomes as a list)."""
    outcomes = body.get("outcomes") or []
    if not isinstance(outcomes, list) or not all(isinstance(o, str) and o in OUTCOMES for o in outcomes):
        raise HandoffError("invalid_outcome", "Hãy chọn kết quả trong danh sách.", 400)
    contact_type = _choice(body, "contact_type", codes("contact_types"), "Hãy chọn loại cuộc liên hệ trong danh sách.",
                           default=derived_type(outcomes) if outcomes else None)
    if contact_type is None:
        raise HandoffError("invalid_contact_type", "Hãy chọn loại cuộc liên hệ.", 400)
    if is_counselling(contact_type):
        if not [o for o in outcomes if o in COUNSELLING_OUTCOMES]:
            raise HandoffError("invalid_outcome", "Cuộc tư vấn cần ít nhất một kết quả tư vấn, thông tin hoặc "
                                                  "chuyển tuyến.", 400)
    elif contact_type == "information":
        outcomes = outcomes if outcomes in (["information"], ["no_counselling"]) else ["information"]
    elif body.get("contact_type") or outcomes != ["abusive"]:
        # No outcome for a silent, wrong-number, abusive… contact a counsellor typed: it is counted
        # by its type. Only a burst dismissed as abuse (handoff/bursts.py, no type given) keeps its
        # "abusive" mark, which takes it out of the figures: it was never a contact received.
        outcomes = []
    return {
        "contact_type": contact_type, "outcomes": outcomes,
        "victim": _choice(body, "victim", VICTIM_STATUS, "Hãy chọn tình trạng nạn nhân trong danh sách.", "unknown"),
        "category": _choice(body, "category", codes("categories"), "Hãy chọn nhóm vấn đề trong danh sách."),
        "age_group": _choice(body, "age_group", codes("age_groups"), "Hãy chọn nhóm tuổi trong danh sách."),
        "sex": _choice(body, "sex", codes("sexes"), "Hãy chọn giới tính trong danh sách."),
        "province": _choice(body, "province", provinces(), "Hãy chọn tỉnh, thành trong danh sách."),
    }


def ended_with_survey(columns: Mapping[str, Any]) -> bool:
    """Whether the person is asked the satisfaction survey: after counselling or information, not
    after a silent, wrong-number, abusive or test contact."""
    return columns["contact_type"] in ("counselling", "information") and columns["outcomes"] not in (
        ["no_counselling"], ["abusive"])
