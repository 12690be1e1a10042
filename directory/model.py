"""Loading the directory, choosing the profile, and rendering placeholders."""
from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Tuple

import yaml

DIRECTORY_FILE = Path(__file__).resolve().parent.parent / "data" / "directory.yml"
DEFAULT_PROFILE = "national"
KINDS = ("lines", "services", "references", "facts")
# [[id]] the entry's name, [[id.phone]] its number, [[id.text]] a fact's sentence, [[id.line]] a chat line
PLACEHOLDER = re.compile(r"\[\[([a-z0-9_]+)(?:\.(name|phone|text|line))?\]\]")
# [[hotlines]]: this line and, when it is not the national one, the national 111 too
HOTLINES = "hotlines"
# Ids that depend on the profile (line) or are fixed roles every text may name.
ROLES = {"national": "line_111", "police": "police_113"}


class UnknownPlaceholder(ValueError):
    """A text names an id or field the directory does not have (a typo, or an unconfirmed fact)."""


@dataclass(frozen=True)
class Entry:
    id: str
    kind: str  # one of KINDS, singular: line, service, reference, fact
    name: str
    source: str
    verified: dt.date
    review: int  # days
    confirmed: bool = True
    note: str = ""
    phone: Optional[str] = None
    hours: Optional[str] = None
    free: bool = False
    needs: Tuple[str, ...] = ()
    description: str = ""
    province: Optional[str] = None
    text: str = ""

    @property
    def review_due(self) -> dt.date:
        return self.verified + dt.timedelta(days=self.review)

    def past_review(self, today: dt.date) -> bool:
        return today > self.review_due

    def line(self) -> str:
        """One line for a chat message: name, then number, cost and hours not already in it."""
        details = [
            self.phone and self.phone not in self.name and f"số {self.phone}",
            self.free and "miễn phí" not in self.name and "miễn phí",
            self.hours and f"trực {self.hours}",
        ]
        details = [d for d in details if d]
        return f"{self.name} ({', '.join(details)})" if details else self.name


@dataclass(frozen=True)
class Profile:
    id: str
    name: str
    line: str  # the id of this hotline's own line: "call us"
    province: Optional[str] = None


def _entry(kind: str, raw: Dict[str, Any]) -> Entry:
    raw = dict(raw)
    missing = [k for k in ("id", "source", "verified", "review") if k not in raw]
    if missing:
        raise ValueError(f"directory: {kind} entry {raw.get('id', '?')} lacks {', '.join(missing)}")
    if kind == "facts":
        raw.setdefault("name", raw["id"])
    verified = raw["verified"]
    raw["verified"] = verified if isinstance(verified, dt.date) else dt.date.fromisoformat(str(verified))
    raw["needs"] = tuple(raw.get("needs") or ())
    if raw.get("phone") is not None:
        raw["phone"] = str(raw["phone"])
    raw["text"] = " ".join(str(raw.get("text", "")).split())
    raw["description"] = " ".join(str(raw.get("description", "")).split())
    return Entry(kind=kind[:-1], **raw)


class Directory:
    def __init__(self, entries: Iterable[Entry], profiles: Dict[str, Profile], profile: str = DEFAULT_PROFILE,
                 superseded: Iterable[Tuple[str, str]] = ()) -> None:
        self.entries = list(entries)
        self._by_id = {e.id: e for e in self.entries}
        if len(self._by_id) != len(self.entries):
            raise ValueError("directory: two entries share an id")
        if profile not in profiles:
            raise ValueError(f"directory: unknown profile {profile!r} (known: {', '.join(sorted(profiles))})")
        self.profiles = profiles
        self.profile = profiles[profile]
        self.superseded = [(re.compile(pattern), why) for pattern, why in superseded]
        for p in profiles.values():
            if p.line not in self._by_id or not self._by_id[p.line].phone:
                raise ValueError(f"directory: profile {p.id} names line {p.line!r}, which has no number")

    @classmethod
    def load(cls, profile: str = DEFAULT_PROFILE, path: Path = DIRECTORY_FILE) -> "Directory":
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        entries = [_entry(kind, item) for kind in KINDS for item in raw.get(kind) or []]
        profiles = {pid: Profile(pid, **spec) for pid, spec in (raw.get("profiles") or {}).items()}
        superseded = [(s["pattern"], s["why"]) for s in raw.get("superseded") or []]
        return cls(entries, profiles, profile, superseded)

    def with_profile(self, profile: str) -> "Directory":
        return Directory(self.entries, self.profiles, profile, [(p.pattern, why) for p, why in self.superseded])

    # --- lookups ---------------------------------------------------------------------------------
    def get(self, entry_id: str) -> Entry:
        """An entry by id or role (line, national, police)."""
        real = self.profile.line if entry_id == "line" else ROLES.get(entry_id, entry_id)
        try:
            return self._by_id[real]
        except KeyError:
            raise UnknownPlaceholder(f"no directory entry {entry_id!r}") from None

    @property
    def line(self) -> Entry:
        return self.get("line")

    def _serves_here(self, entry: Entry, province: Optional[str]) -> bool:
        return entry.province is None or entry.province in (self.profile.province, province)

    def for_need(self, need: str, province: Optional[str] = None) -> List[Entry]:
        """Confirmed lines and services answering ``need`` where this line works; this line first,
        then those of the person's province, then national ones."""
        found = [e for e in self.entries if need in e.needs and e.confirmed and e.kind in ("line", "service")
                 and self._serves_here(e, province)]
        return sorted(found, key=lambda e: (e.id != self.profile.line, e.province is None))

    def partners(self) -> List[Entry]:
        """Confirmed lines and services of this line's area: where a counsellor can refer a case."""
        return [e for e in self.entries if e.kind in ("line", "service") and e.confirmed and e.needs
                and self._serves_here(e, None)]

    def phones(self) -> List[str]:
        return [e.phone for e in self.entries if e.phone]

    def references(self) -> List[str]:
        """The names of the laws and decrees: the only legal references a text may state."""
        return [e.name for e in self.entries if e.kind == "reference"]

    # --- rendering -------------------------------------------------------------------------------
    def render(self, template: str) -> str:
        """``template`` with every placeholder filled in. Only for the hotline's own texts, never a
        person's message. Raises UnknownPlaceholder for an unknown id or an unconfirmed fact."""
        return PLACEHOLDER.sub(self._fill, template)

    def hotline_entries(self) -> List[Entry]:
        """This line, then the national 111 line when this one is a provincial line."""
        ours, national = self.line, self.get("national")
        return [ours] if ours.id == national.id else [ours, national]

    def hotlines(self) -> str:
        return " hoặc ".join(e.line() for e in self.hotline_entries())

    def _fill(self, match: "re.Match[str]") -> str:
        if match.group(1) == HOTLINES and not match.group(2):
            return self.hotlines()
        entry = self.get(match.group(1))
        field = match.group(2) or ("text" if entry.kind == "fact" else "name")
        if not entry.confirmed:
            raise UnknownPlaceholder(f"{entry.id} is not confirmed; refer to the line instead")
        value = entry.line() if field == "line" else getattr(entry, field)
        if not value:
            raise UnknownPlaceholder(f"{entry.id} has no {field}")
        return value


@functools.lru_cache(maxsize=4)
def default_directory(profile: str = DEFAULT_PROFILE) -> Directory:
    return Directory.load(profile)
