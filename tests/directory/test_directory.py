"""The directory: entries with sources and dates, profiles, placeholders, and what is past review."""
import datetime as dt
from pathlib import Path

import pytest
import yaml

from directory import Directory, UnknownPlaceholder
from directory.messages import SAFETY_OPENING, safety_message, unavailable_message
from directory.model import DIRECTORY_FILE
from directory.review import report, rows
from tests.conftest import SEEDS

# Numbers set by law or by official announcements (each entry's source names it), not in the seeds.
OFFICIAL_NUMBERS = {"113", "111", "112"}


def test_every_entry_names_its_source_a_date_and_a_review_period():
    directory = Directory.load()
    seeds = "\n".join(p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt")))
    assert len(directory.entries) >= 20
    for e in directory.entries:
        assert e.source.strip() and e.review > 0 and e.verified <= dt.date.today(), e.id
        if e.phone:
            assert e.phone in OFFICIAL_NUMBERS or e.phone in seeds, e.id
        if not e.confirmed:
            assert e.note, f"{e.id}: say why it could not be confirmed"


def test_the_profile_decides_call_us_and_111_is_always_given_for_danger():
    national, quang_ninh = Directory.load("national"), Directory.load("quang_ninh")
    assert national.render("[[line.phone]]") == "111" and quang_ninh.render("[[line.phone]]") == "18001769"
    for directory in (national, quang_ninh):
        message = safety_message(directory, abroad=True)
        assert message.startswith(SAFETY_OPENING) and "113" in message and "111" in message
        assert "Đại sứ quán" in message and "Đại sứ quán" not in safety_message(directory)
    assert "18001769" not in safety_message(national) + unavailable_message(national)
    assert "18001769" in safety_message(quang_ninh) and "18001769" in unavailable_message(quang_ninh)
    with pytest.raises(ValueError, match="unknown profile"):
        Directory.load("ha_noi")


def test_placeholders_fill_in_and_unknown_or_unconfirmed_ones_are_refused():
    directory = Directory.load()
    assert directory.render("Gọi [[police.phone]]. Theo [[law]].") == \
        "Gọi 113. Theo Luật Phòng, chống mua bán người số 53/2024/QH15."
    assert directory.render("no placeholder, [brackets] kept") == "no placeholder, [brackets] kept"
    with pytest.raises(UnknownPlaceholder):
        directory.render("[[no_such_office]]")
    with pytest.raises(UnknownPlaceholder, match="not confirmed"):
        directory.render("[[quang_ninh_shelter]]")  # could not be confirmed: the bot refers to the line


def test_an_unconfirmed_or_other_provinces_service_is_never_offered():
    national, quang_ninh = Directory.load("national"), Directory.load("quang_ninh")
    assert "quang_ninh_shelter" not in [e.id for e in quang_ninh.for_need("shelter")]
    assert quang_ninh.for_need("shelter")[0].id == "line_18001769"  # this line first
    assert all(e.province is None for e in national.for_need("hotline"))
    assert "line_18001769" in [e.id for e in national.for_need("hotline", province="Quảng Ninh")]
    assert "quang_ninh_shelter" not in [e.id for e in national.partners() + quang_ninh.partners()]


def test_entries_past_their_review_date_are_listed_first_and_marked():
    directory = Directory.load()
    listed = rows(directory, today=dt.date(2026, 12, 2))
    late = [r["id"] for r in listed if r["past_review"]]
    assert "line_18001769" in late and "law" not in late  # checked 2023, a year's review; the law today
    assert listed[0]["past_review"] and not listed[-1]["past_review"]
    far = rows(directory, today=dt.date(2030, 1, 1))
    assert all(r["past_review"] for r in far)
    text = report(directory, today=dt.date(2026, 12, 2))
    assert "PAST REVIEW" in text and "NOT CONFIRMED" in text and "source: " in text


def test_the_directory_is_editable_data(tmp_path: Path):
    raw = yaml.safe_load(DIRECTORY_FILE.read_text(encoding="utf-8"))
    raw["services"].append({"id": "an_giang_shelter", "name": "Nhà tạm lánh An Giang", "needs": ["shelter"],
                            "province": "An Giang", "source": "thông báo của tỉnh, 01/11/2026",
                            "verified": "2026-11-01", "review": 90})
    edited = tmp_path / "directory.yml"
    edited.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    directory = Directory.load("national", edited)
    assert directory.for_need("shelter", province="An Giang")[0].id == "an_giang_shelter"
    del raw["services"][-1]["verified"]
    edited.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ValueError, match="lacks verified"):
        Directory.load("national", edited)
