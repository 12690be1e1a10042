"""Which province a person named: the NLU's province lookup (data/nlu/provinces.yml), matched on
folded text so "quang ninh" and "Quảng Ninh" meet. Used for the statistics by province."""
from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Dict, List, Optional

import yaml

from handoff.events import Event, Events
from nlu.text import fold

PROVINCES_FILE = Path(__file__).resolve().parent.parent / "data" / "nlu" / "provinces.yml"


@functools.lru_cache(maxsize=1)
def _names() -> Dict[str, str]:
    """folded name -> proper name, longest first (so "ha noi" does not hide "ha nam")."""
    data = yaml.safe_load(PROVINCES_FILE.read_text(encoding="utf-8"))["nlu"]
    names: Dict[str, str] = {}
    for item in data:
        if "synonym" in item:
            proper = item["synonym"]
            names[fold(proper)] = proper
            for example in item["examples"].splitlines():
                example = example.strip().lstrip("-").strip()
                if example:
                    names[fold(example)] = proper
    return dict(sorted(names.items(), key=lambda kv: -len(kv[0])))


CURRENT_PROVINCES = 34  # since the 2025 merger


@functools.lru_cache(maxsize=1)
def provinces() -> List[str]:
    """The 34 provinces a counsellor records a contact under: the lookup lists them first, capitalised,
    before the former names still in use (kept in that order; this file is also Rasa training data,
    so an edit retrains the model)."""
    data = yaml.safe_load(PROVINCES_FILE.read_text(encoding="utf-8"))["nlu"]
    lookup = next(item for item in data if item.get("lookup") == "province")
    names = [line.strip().lstrip("-").strip() for line in lookup["examples"].splitlines()]
    return [name for name in names if name and name[0].isupper()][:CURRENT_PROVINCES]


def province_in(text: str) -> Optional[str]:
    folded = " " + re.sub(r"[^\w]+", " ", fold(text or "")) + " "
    for name, proper in _names().items():
        if f" {name} " in folded:
            return proper
    return None


async def note_place(events: Events, cid: str, contact_id: Optional[int], text: str) -> None:
    """The province named, kept (coarse, outliving retention) for the statistics by province."""
    province = province_in(text)
    if province and contact_id:
        await events.record_event(Event("place", cid, "gateway", None, None, contact_id,
                                        detail={"province": province}))
