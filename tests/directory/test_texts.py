"""Every text the hotline sends or shows states only the directory's numbers and laws, nothing superseded.

The texts: Rasa's responses (domain.yml), the handoff's notices, the gateway's own messages, the web
chat page, the console's quick replies and pages, and the services lists the actions build. They are
scanned as written (no number may be written there: only placeholders) and as rendered in each profile.
"""
import re

import pytest
import yaml

from bot import router
from bot.app import STATIC, TEMPLATES, chat_page
from tools.model import ROOT
from directory import Directory
from directory.messages import safety_message, unavailable_message
from handoff import texts

# Renders the gateway's page and notices: the services' runtime only (tests/conftest.py).
pytestmark = pytest.mark.services_runtime
from handoff.console import load_quick_replies

PROFILES = ("national", "quang_ninh")
# A telephone number: three digits or more, not part of a date (01/07/2025), a count (3.321) or a law's number.
PHONE = re.compile(r"(?<![\d/.,])\d{3,}(?![\d/.,])")
# A legal reference: a law, decree, resolution or circular with its number, or an article.
LEGAL = re.compile(r"(?:Luật|Nghị định|Nghị quyết|Thông tư|Quyết định)[^.;:()\n]*?\d+/\d{4}/[\wĐ-]+|Điều \d+")


def templates():
    """(where, text) of every text as written, before the directory fills it in."""
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    out = [(name, v["text"]) for name, variants in domain["responses"].items() for v in variants]
    out += [(f"quick reply {q['title']}", q["text"]) for q in load_quick_replies()]
    out += [("GREETING", texts.GREETING), ("PRIVACY_NOTICE", texts.PRIVACY_NOTICE), ("NOT_TEXT", texts.NOT_TEXT),
            ("restricted", texts.restricted("10:00 02/12")), ("claimed", texts.claimed("Lan")),
            ("continued", texts.continued("Lan")), ("handed_over", texts.handed_over("Lan")),
            ("stepped_away", texts.stepped_away(True)), ("referral_in_progress", texts.referral_in_progress(True)),
            ("referral_in_progress, no contact", texts.referral_in_progress(False)),
            ("follow_up_received", texts.follow_up_received()),
            *[(f"still_waiting_critical {k}", texts.still_waiting_critical(**k))
              for k in ({}, {"location_known": True}, {"watched": True})],
            ("closed", texts.closed()),
            ("supervisor_alert", texts.supervisor_alert(90, "web")), ("survey_thanks", texts.survey_thanks()),
            ("delivery_failed", texts.delivery_failed("sms", 3)), ("SLOW_DOWN", router.SLOW_DOWN),
            ("window_closed", texts.window_closed("messenger", "nhắn Zalo của chị gái, sau 8 giờ tối")),
            ("window_closed, no contact", texts.window_closed("messenger", ""))]
    out += [(f"SURVEY {k}", v) for k, v in texts.SURVEY.items()]
    out += [(f"queued {p} {online} {overflow}", texts.queued(p, 3, 120, online, overflow))
            for p in ("critical", "high", "normal") for online in (0, 2) for overflow in (False, True)]
    pages = [*sorted(STATIC.iterdir()), *sorted(TEMPLATES.iterdir())]
    out += [(f"static {p.name}", _words_of(p)) for p in pages if p.suffix in (".html", ".js")]
    out += [(f"console {p.name}", _words_of(p)) for p in sorted((ROOT / "handoff" / "static").iterdir())
            if p.suffix in (".html", ".js")]
    return out


def _words_of(page) -> str:
    """What a page shows: its text, or a script's string literals (not its code's arithmetic)."""
    text = page.read_text(encoding="utf-8")
    if page.suffix == ".js":
        return "\n".join(re.findall(r'"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|`[^`]*`', text))
    return _numeric_attributes(text)


def _numeric_attributes(html: str) -> str:
    """A page without its numeric attributes (maxlength="20000"), which no one reads as a number."""
    return re.sub(r'\s[\w-]+="\d+"', "", html)


def rendered(directory: Directory, province=None):
    """(where, text) of every text as a person or a counsellor sees it in this profile."""
    out = [(where, directory.render(text)) for where, text in templates() if not where.startswith("static")]
    out += [("chat page", _numeric_attributes(chat_page(directory))), ("safety", safety_message(directory, abroad=True)),
            ("unavailable", unavailable_message(directory))]
    needs = {n for e in directory.entries for n in e.needs}
    out += [(f"services for {need}", "\n".join(e.line() for e in directory.for_need(need, province)))
            for need in needs]
    return out


def test_no_text_writes_a_number_or_a_law_itself():
    for where, text in templates():
        assert not PHONE.findall(text), (where, PHONE.findall(text))
        assert not LEGAL.findall(text), (where, LEGAL.findall(text))


@pytest.mark.parametrize("profile", PROFILES)
def test_every_number_and_law_shown_is_in_the_directory_and_none_is_superseded(profile):
    directory = Directory.load(profile)
    numbers, laws = set(directory.phones()), " ".join(e.name + " " + e.text for e in directory.entries)
    for where, text in rendered(directory):
        assert set(PHONE.findall(text)) <= numbers, (where, set(PHONE.findall(text)) - numbers)
        for reference in LEGAL.findall(text):
            assert reference in laws, (where, reference)
        for pattern, why in directory.superseded:
            assert not pattern.search(text), (where, pattern.pattern, why)


def test_the_national_profile_never_gives_the_provincial_line():
    directory = Directory.load("national")
    assert not [where for where, text in rendered(directory) if "18001769" in text]
    # unless the person says they are in Quảng Ninh, and then as the province's line
    shown = [line for _, text in rendered(directory, "Quảng Ninh") for line in text.splitlines() if "18001769" in line]
    assert shown and all("tỉnh Quảng Ninh" in line for line in shown)


def test_switching_the_profile_changes_call_us_in_the_answers():
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    goodbye = domain["responses"]["utter_goodbye"][0]["text"]
    national, quang_ninh = (Directory.load(p).render(goodbye) for p in PROFILES)
    assert "111" in national and "18001769" not in national
    assert "18001769" in quang_ninh and "Quảng Ninh" in quang_ninh


def test_the_scan_catches_what_it_is_for():
    """The patterns find a written number, a superseded office and an old decree (else they prove nothing)."""
    directory = Directory.load()
    assert PHONE.findall("gọi 18001769 hoặc 0912345678") == ["18001769", "0912345678"]
    assert not PHONE.findall("từ 01/07/2025, 3.321 xã")
    assert LEGAL.findall("theo Nghị định 09/2013/NĐ-CP, Điều 32")
    bad = "hỏi Phòng Lao động - Thương binh và Xã hội cấp huyện; luật sư bào chữa; tổng đài quốc gia 18001769"
    hits = {why for pattern, why in directory.superseded if pattern.search(bad)}
    assert len(hits) >= 4
