"""The codes a closed contact and a case are recorded with, and how they map to the reporting
standards: data/contact_framework.yml (contact types, methods, age groups, sexes, main categories,
with Child Helpline International's names) and data/indicators.yml (the screening checklist,
with the Human Trafficking Case Data Standard's field names). docs/standards.md gives the sources."""
from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

import yaml

DATA = Path(__file__).resolve().parent.parent / "data"
FRAMEWORK_FILE = DATA / "contact_framework.yml"
INDICATORS_FILE = DATA / "indicators.yml"

CASE_STATUSES = {"open": "Đang xử lý", "referred": "Đã chuyển tuyến", "closed": "Đã đóng"}
CASE_ROLES = {"person_at_risk": "Người gặp nguy cơ", "caller": "Người gọi, người báo tin",
              "suspected_trafficker": "Người bị nghi là đối tượng mua bán"}
LOGGED_CHANNELS = ("phone", "walk_in")  # contacts a counsellor logs after they end


@functools.lru_cache(maxsize=1)
def framework() -> Dict[str, Dict[str, Dict[str, Any]]]:
    return yaml.safe_load(FRAMEWORK_FILE.read_text(encoding="utf-8"))


def codes(kind: str) -> Dict[str, Dict[str, Any]]:
    """One list of the framework: code -> its entry (label, chi, ...)."""
    return framework()[kind]


def labels(kind: str) -> Dict[str, str]:
    return {code: entry["label"] for code, entry in codes(kind).items()}


def is_counselling(contact_type: Optional[str]) -> bool:
    return bool(contact_type and codes("contact_types").get(contact_type, {}).get("counselling"))


@dataclass(frozen=True)
class Indicator:
    id: str
    group: str  # means_of_control / means_of_recruitment
    htcds: str  # the HTCDS field it fills in the case export
    label: str
    proposed_by: Sequence[str]  # the urgency detector's reason tags that propose it


@functools.lru_cache(maxsize=1)
def indicators() -> List[Indicator]:
    raw = yaml.safe_load(INDICATORS_FILE.read_text(encoding="utf-8"))["indicators"]
    return [Indicator(i["id"], i["group"], i["htcds"], i["label"], tuple(i.get("proposed_by") or ())) for i in raw]


def proposals(reasons: Sequence[str]) -> Dict[str, List[str]]:
    """indicator id -> the reason tags among ``reasons`` that propose it."""
    heard = set(reasons)
    out = {}
    for indicator in indicators():
        tags = [tag for tag in indicator.proposed_by if tag in heard]
        if tags:
            out[indicator.id] = tags
    return out
