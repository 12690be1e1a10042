"""The anonymised case export, for partners and research (docs/cases.md, "Reports"): one row per
case opened in a period, under the field names of the Counter Trafficking Data Collaborative's
Global Dataset (CTDC), whose columns carry the values of the Human Trafficking Case Data
Standard (HTCDS), and HTCDS's own names where CTDC has none.

A row holds, and nothing else:

- ``exportId``: random, new at each export: not our case id, so rows of two exports cannot be
  joined to each other or to the console;
- ``Datasource`` ("Hotline", CTDC's value for data from a hotline) and ``yearOfRegistration``:
  the Vietnam year the case was opened, never a date;
- ``gender`` (HTCDS prs_Gender values), ``ageBroad`` (our age groups, data/contact_framework.yml,
  written "16--17" as CTDC writes its bands, so that a spreadsheet does not read a date; they are
  not CTDC's bands), ``majorityStatus`` ("Minor"/"Adult", from the age group): from the case's
  person at risk, else the earliest of its contacts with one recorded;
- ``province``: the earliest province recorded on (else named in) its contacts. Neither standard
  has a field for a province of Vietnam; the name is ours;
- ``caseStatus``: HTCDS cas_Status values for our statuses;
- ``isForcedLabour`` … ``typeOfLabourIllicitActivities``: 0/1 from the main categories of its
  contacts (``EXPLOITATION``);
- one 0/1 column per ``htcds`` field of data/indicators.yml, 1 when an indicator writing it was
  CONFIRMED by a counsellor (two indicators share meansOfControlRestrictsMovement: either sets it);
  proposed or rejected indicators write 0;
- ``contactsPhone``, ``contactsWalkIn``, ``contactsText``: how many of its contacts came by each
  (ours: no standard counts contacts).

It never holds a name, a phone number or sender id, a title, note, description or any other
free text, a counsellor, or a date finer than the year. Rows are sorted by their values, not by
when the cases were opened, so that their order tells no date either.

Suppression, with k = ``min_cell`` (CASE_EXPORT_MIN_CELL, default 11 as CTDC's k-anonymisation).
The quasi-identifiers are ``QUASI_IDENTIFIERS``: the demographic fields, the place and the year.
1. Each value of each quasi-identifier held by fewer than k rows is blanked in those rows
   (so a rare value costs only its own cell).
2. Then each row whose combination of the quasi-identifiers, as left by step 1 (blanks
   included), is held by fewer than k rows has all its quasi-identifiers blanked.
Every row that keeps a quasi-identifier therefore shares all of them with at least k-1 other rows.
A blank (null in JSON, empty in CSV) means "not known or suppressed": the two are not told apart,
or a blank would say that a value was rare. The other fields are never blanked.
"""
from __future__ import annotations

import csv
import io
import secrets
from collections import Counter
from typing import Any, Dict, List, Optional, Sequence

from handoff.framework import LOGGED_CHANNELS, codes, indicators
from handoff.local_time import local_datetime
from handoff.stats import UNKNOWN_PLACE, contact_provinces
from handoff.store import Store

QUASI_IDENTIFIERS = ("yearOfRegistration", "gender", "ageBroad", "majorityStatus", "province")
# Our codes -> HTCDS's values (prs_Gender, cas_Status); "unknown" has none: a blank.
GENDER = {"female": "Female", "male": "Male", "other": "Transgender/NonConforming"}
# Our "referred" is a case handed to a partner: HTCDS's closed by referral. Not confirmed with a
# partner that reads the standard; docs/cases.md.
STATUS = {"open": "Active", "referred": "ClosedReferred", "closed": "Closed"}
# Our main categories -> CTDC's type of exploitation columns. Forced criminality (scam compounds)
# is forced labour in illicit activities; the sale of a child names no purpose: other.
# Missing persons, safe migration, victim support and "other" name no exploitation.
EXPLOITATION = {"labour_trafficking": ("isForcedLabour",),
                "forced_criminality": ("isForcedLabour", "typeOfLabourIllicitActivities"),
                "sexual_exploitation": ("isSexualExploit",), "forced_marriage": ("isForcedMarriage",),
                "child_sale": ("isOtherExploit",)}
EXPLOITATION_FIELDS = ("isForcedLabour", "isSexualExploit", "isSexAndLabour", "isForcedMarriage", "isOtherExploit",
                       "typeOfLabourIllicitActivities")
CONTACT_FIELDS = ("contactsPhone", "contactsWalkIn", "contactsText")


def indicator_fields() -> List[str]:
    """The htcds columns of data/indicators.yml, each once, in the file's order."""
    return list(dict.fromkeys(indicator.htcds for indicator in indicators()))


def fields() -> List[str]:
    return ["exportId", "Datasource", *QUASI_IDENTIFIERS, "caseStatus", *EXPLOITATION_FIELDS, *indicator_fields(),
            *CONTACT_FIELDS]


def _known(value: Optional[str]) -> Optional[str]:
    return value if value and value != "unknown" else None


def _person(people: List[Dict[str, Any]], contacts: List[Dict[str, Any]]) -> Dict[str, Optional[str]]:
    """The age group and sex of the person at risk, else of the earliest contact that has them
    (each looked for on its own: a contact may have recorded one and not the other)."""
    at_risk = [p for p in people if p["role"] == "person_at_risk"]
    out = {}
    for name in ("age_group", "sex"):
        found = [_known(p[name]) for p in at_risk] + [_known(c[name]) for c in contacts]
        out[name] = next((value for value in found if value), None)
    return out


def _exploitation(contacts: List[Dict[str, Any]]) -> Dict[str, int]:
    found = {name for c in contacts for name in EXPLOITATION.get(c["category"] or "", ())}
    if {"isForcedLabour", "isSexualExploit"} <= found:
        found.add("isSexAndLabour")
    return {name: int(name in found) for name in EXPLOITATION_FIELDS}


def _row(case: Dict[str, Any], people: List[Dict[str, Any]], contacts: List[Dict[str, Any]],
         places: Dict[int, str], confirmed: Sequence[str]) -> Dict[str, Any]:
    person = _person(people, contacts)
    age = person["age_group"]
    minor = codes("age_groups").get(age, {}).get("minor") if age else None
    province = next((places[c["id"]] for c in contacts if places.get(c["id"]) not in (None, UNKNOWN_PLACE)), None)
    written = {indicator.htcds for indicator in indicators() if indicator.id in confirmed}
    channels = Counter(c["channel"] for c in contacts)
    return {
        "Datasource": "Hotline",
        "yearOfRegistration": local_datetime(case["created_at"]).year,
        "gender": GENDER.get(person["sex"] or ""),
        "ageBroad": age.replace("-", "--") if age else None,
        "majorityStatus": None if minor is None else ("Minor" if minor else "Adult"),
        "province": province,
        "caseStatus": STATUS.get(case["status"]),
        **_exploitation(contacts),
        **{name: int(name in written) for name in indicator_fields()},
        "contactsPhone": channels["phone"],
        "contactsWalkIn": channels["walk_in"],
        "contactsText": sum(n for channel, n in channels.items() if channel not in LOGGED_CHANNELS),
    }


def suppress(rows: List[Dict[str, Any]], min_cell: int, quasi: Sequence[str] = QUASI_IDENTIFIERS
             ) -> List[Dict[str, Any]]:
    """The rows with their rare quasi-identifiers blanked (the module's docstring, steps 1 and 2)."""
    out = [dict(row) for row in rows]
    for name in quasi:
        held = Counter(row[name] for row in out if row[name] is not None)
        for row in out:
            if row[name] is not None and held[row[name]] < min_cell:
                row[name] = None
    combinations = Counter(tuple(row[name] for name in quasi) for row in out)
    for row in out:
        if combinations[tuple(row[name] for name in quasi)] < min_cell:
            for name in quasi:
                row[name] = None
    return out


def case_export(store: Store, start: float, end: float, min_cell: int) -> List[Dict[str, Any]]:
    """One anonymised row per case opened in [start, end), rare quasi-identifiers suppressed."""
    cases = store.cases.in_period(start, end)
    confirmed = store.cases.confirmed([case["id"] for case in cases])
    rows = []
    for case in cases:
        contacts = store.cases.contacts(case["id"])
        rows.append(_row(case, store.cases.people(case["id"]), contacts, contact_provinces(store, contacts),
                         sorted(confirmed[case["id"]])))
    rows = suppress(rows, min_cell)
    rows.sort(key=lambda row: [str(row[name]) for name in fields()[1:]])
    names = fields()
    return [{name: row[name] for name in names} for row in ({**r, "exportId": secrets.token_hex(8)} for r in rows)]


def to_csv(rows: List[Dict[str, Any]]) -> str:
    """Field names as the standards spell them (a program or a researcher reads this file); a
    blank cell for a value not known or suppressed."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields())
    writer.writeheader()
    for row in rows:
        writer.writerow({name: "" if value is None else value for name, value in row.items()})
    return out.getvalue()
