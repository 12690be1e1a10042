"""Child Helpline International's data framework for a period (docs/cases.md, "Reports"), from
the same contacts as the hotline's own statistics (``handoff.stats.contacts_in_period``: every
escalated chat, logged call and walk-in received in the period).

The codes are ours (data/contact_framework.yml); CHI's names are read from that file, never
written here, so that correcting a name there corrects the report. What each section counts:

- ``methods``: every contact, under CHI's name of its channel (``methods`` of the file; several
  channels may share a name, e.g. the messaging apps). A channel missing from the file is
  reported under its own code rather than dropped.
- ``counselling``, ``non_counselling``, ``non_counselling_by_type``: by the ``counselling`` flag of
  the contact type recorded at closing. A contact not closed yet has no type: it is in neither,
  but in ``untyped``, so the three add up to ``contacts``.
- ``age_sex`` and ``categories``: counselling contacts only. CHI profiles the child and the issue
  of a counselling contact; a silent call or a wrong number has neither. Missing age group or
  sex counts as ``unknown``; a missing main category (or a code no longer in the file) under
  "Not recorded". Each CHI category (and subcategory) carries our trafficking extension: how
  many of its contacts had each of our categories.
- ``actions``: referrals by kind (rescue, support), from the outcomes the counsellor recorded at
  closing (``referral_rescue``, ``referral_support``), one per contact and kind: the same figures
  as the hotline's own statistics. The referrals table is not counted: a logged call's referral
  is made on the phone and has no row there, and a row tracks the partner's follow-up of a
  referral the outcome already counts.
"""
from __future__ import annotations

import csv
import io
import time
from typing import Any, Dict, List, Optional, Tuple

from handoff.framework import codes, is_counselling, labels
from handoff.local_time import local_date, local_time
from handoff.outcomes import OUTCOMES
from handoff.stats import contacts_in_period
from handoff.store import Store

UNKNOWN = "unknown"  # the age group and sex code of "not known"
# Names CHI's template gives no value for (data/contact_framework.yml has none): ours.
NOT_RECORDED = "Not recorded"
TOTAL = "Contacts"
NON_COUNSELLING = "Non-counselling contacts"
REFERRALS = {"rescue": ("referral_rescue", "Referral (rescue)"), "support": ("referral_support", "Referral (support)")}


def _methods(rows: List[Dict[str, Any]]) -> Dict[str, int]:
    methods = codes("methods")
    out = {entry["chi"]: 0 for entry in methods.values()}  # every name of the file, zeros included
    for row in rows:
        name = methods[row["channel"]]["chi"] if row["channel"] in methods else row["channel"]
        out[name] = out.get(name, 0) + 1
    return out


def _age_sex(counselling: List[Dict[str, Any]]) -> Dict[str, Dict[str, int]]:
    ages, sexes = list(codes("age_groups")), list(codes("sexes"))
    out = {age: {sex: 0 for sex in sexes} for age in ages}
    for row in counselling:
        age = row["age_group"] if row["age_group"] in out else UNKNOWN
        sex = row["sex"] if row["sex"] in out.get(age, {}) else UNKNOWN
        out.setdefault(age, {}).setdefault(sex, 0)
        out[age][sex] += 1
    return out


def _group(entry: Dict[str, Any]) -> Tuple[str, str]:
    return entry["chi"], entry.get("chi_sub") or ""


def _categories(counselling: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """Every CHI category of the file (in its order, zeros included) with our codes under it,
    then the counselling contacts with no category recorded."""
    ours = codes("categories")
    groups: Dict[Tuple[str, str], Dict[str, Any]] = {}
    for code, entry in ours.items():
        chi, sub = _group(entry)
        group = groups.setdefault((chi, sub), {"chi": chi, **({"chi_sub": sub} if sub else {}), "count": 0,
                                               "extension": {}})
        group["extension"][code] = 0
    missing = {"chi": NOT_RECORDED, "count": 0, "extension": {}}
    for row in counselling:
        code = row["category"]
        group = groups[_group(ours[code])] if code in ours else missing
        group["count"] += 1
        if code:  # a code taken out of the file since: still shown, under "not recorded"
            group["extension"][code] = group["extension"].get(code, 0) + 1
    return [*groups.values(), missing]


def chi_report(store: Store, start: float, end: float) -> Dict[str, Any]:
    rows = contacts_in_period(store, start, end)
    counselling = [r for r in rows if is_counselling(r["contact_type"])]
    others = [r for r in rows if r["contact_type"] and not is_counselling(r["contact_type"])]
    by_type = {code: 0 for code in codes("contact_types") if not is_counselling(code)}
    for row in others:
        by_type[row["contact_type"]] = by_type.get(row["contact_type"], 0) + 1
    return {
        "from": start, "to": end,
        "contacts": len(rows),
        "methods": _methods(rows),
        "counselling": len(counselling),
        "non_counselling": len(others),
        "untyped": len(rows) - len(counselling) - len(others),
        "non_counselling_by_type": by_type,
        "age_sex": _age_sex(counselling),
        "categories": _categories(counselling),
        "actions": {kind: sum(1 for r in rows if outcome in r["outcomes"])
                    for kind, (outcome, _name) in REFERRALS.items()},
    }


def _name(entry: Optional[Dict[str, Any]], code: str) -> str:
    return (entry or {}).get("chi") or code


def to_csv(report: Dict[str, Any], exported_at: Optional[float] = None) -> str:
    """The report as rows of section, CHI's name, the Vietnamese label, count: a supervisor reads
    the third column, CHI's form the second. The route encodes it with a BOM (Excel)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Phần", "Tên theo CHI", "Nội dung", "Số cuộc"])
    period = f"Từ ngày {local_date(report['from'])} đến ngày {local_date(report['to'] - 1)}"
    writer.writerow(["Kỳ báo cáo", "Reporting period", period, ""])
    when = local_time(exported_at if exported_at is not None else time.time())
    writer.writerow(["Kỳ báo cáo", "Exported at", f"Xuất lúc {when} (giờ Việt Nam)", ""])
    writer.writerow(["Tổng số", TOTAL, "Số cuộc tiếp nhận", report["contacts"]])

    methods = codes("methods")
    for name, count in report["methods"].items():
        channels = [entry["label"] for entry in methods.values() if entry["chi"] == name] or [name]
        writer.writerow(["Hình thức liên hệ", name, ", ".join(channels), count])

    types, type_labels = codes("contact_types"), labels("contact_types")
    counselling_names = [entry["chi"] for code, entry in types.items() if is_counselling(code)]
    writer.writerow(["Loại liên hệ", " / ".join(counselling_names), "Cuộc tư vấn", report["counselling"]])
    writer.writerow(["Loại liên hệ", NON_COUNSELLING, "Cuộc không phải tư vấn", report["non_counselling"]])
    writer.writerow(["Loại liên hệ", NOT_RECORDED, "Cuộc chưa kết thúc, chưa phân loại", report["untyped"]])
    for code, count in report["non_counselling_by_type"].items():
        writer.writerow(["Cuộc không phải tư vấn, theo loại", _name(types.get(code), code),
                         type_labels.get(code, code), count])

    ages, sexes = codes("age_groups"), codes("sexes")
    for age, by_sex in report["age_sex"].items():
        for sex, count in by_sex.items():
            chi = f"{_name(ages.get(age), age)} / {_name(sexes.get(sex), sex)}"
            label = f"{ages.get(age, {}).get('label', age)}, {sexes.get(sex, {}).get('label', sex)}"
            writer.writerow(["Tuổi và giới tính (cuộc tư vấn)", chi, label, count])

    category_labels = labels("categories")
    for group in report["categories"]:
        chi = " / ".join(filter(None, (group["chi"], group.get("chi_sub"))))
        ours = "; ".join(category_labels.get(code, code) for code in group["extension"])
        label = ours if group["chi"] != NOT_RECORDED else "Chưa ghi nhóm vấn đề"
        writer.writerow(["Nhóm vấn đề (cuộc tư vấn)", chi, label, group["count"]])
        for code, count in group["extension"].items():
            writer.writerow(["Nhóm vấn đề mua bán người (chi tiết)", chi, category_labels.get(code, code), count])

    for kind, (outcome, name) in REFERRALS.items():
        writer.writerow(["Hành động đã thực hiện", name, OUTCOMES[outcome], report["actions"][kind]])
    return out.getvalue()
