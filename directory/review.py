"""What an operator re-checks: every entry with its source, verified date and review date.

`python -m bot facts` prints it; supervisors see the same list in the console (/api/facts).
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Dict, List, Optional

from directory.model import Directory


def rows(directory: Directory, today: Optional[dt.date] = None) -> List[Dict[str, Any]]:
    """Every entry, those past their review date first, then by the date they are due."""
    today = today or dt.date.today()
    out = [{
        "id": e.id, "kind": e.kind, "name": e.name if e.kind != "fact" else e.text, "phone": e.phone or "",
        "source": " ".join(e.source.split()), "verified": e.verified.isoformat(),
        "review_due": e.review_due.isoformat(), "past_review": e.past_review(today),
        "confirmed": e.confirmed, "note": " ".join(e.note.split()), "province": e.province or "",
    } for e in directory.entries]
    return sorted(out, key=lambda r: (not r["past_review"], r["review_due"], r["id"]))


def report(directory: Directory, today: Optional[dt.date] = None) -> str:
    """Plain text for a terminal: one block an entry."""
    listed = rows(directory, today)
    late = sum(r["past_review"] for r in listed)
    lines = [f"{len(listed)} entries, {late} past their review date (profile {directory.profile.id}: "
             f"this line is {directory.line.phone})", ""]
    for r in listed:
        marks = [m for m, on in (("PAST REVIEW", r["past_review"]), ("NOT CONFIRMED", not r["confirmed"])) if on]
        lines.append(f"{r['id']} ({r['kind']}){' [' + ', '.join(marks) + ']' if marks else ''}")
        lines.append(f"  {r['name']}" + (f" · {r['phone']}" if r["phone"] else ""))
        lines.append(f"  source: {r['source']}")
        lines.append(f"  verified {r['verified']}, review due {r['review_due']}")
        if r["note"]:
            lines.append(f"  note: {r['note']}")
    return "\n".join(lines)
