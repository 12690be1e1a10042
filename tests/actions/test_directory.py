"""Facts the bot states: every phone number comes from a source, none is invented."""
import re
from pathlib import Path

import yaml

from actions.directory import SAFETY_OPENING, ServiceDirectory, default_directory
from bot.model import ROOT
from tests.conftest import SEEDS

# Numbers set by law, not in the seeds: police emergency and the national child line.
LAW_NUMBERS = {"113", "111"}
PHONE = re.compile(r"(?<![\d/.])(?:\+?84|0|1800|11)\d{1,9}(?![\d/])")


def seed_text() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt")))


def test_every_service_names_its_source_and_its_numbers_are_sourced():
    seeds = seed_text()
    for service in default_directory().services:
        assert service.source, service.id
        if service.phone:
            assert service.phone in LAW_NUMBERS or service.phone in seeds, service.id


def test_no_user_facing_text_holds_a_number_outside_the_directory():
    allowed = set(default_directory().phones())
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    texts = [v["text"] for variants in domain["responses"].values() for v in variants]
    texts += [p.read_text(encoding="utf-8") for p in (ROOT / "bot" / "static").iterdir()]
    texts += [default_directory().safety_message(abroad=True), default_directory().unavailable_message()]
    found = {n for text in texts for n in PHONE.findall(text)}
    assert found and found <= allowed, found - allowed


def test_safety_message_gives_the_three_lines_and_what_to_send():
    message = default_directory().safety_message(abroad=True)
    assert message.startswith(SAFETY_OPENING)
    for number in ("113", "111", "18001769"):
        assert number in message
    assert "Đại sứ quán" in message
    assert "Đại sứ quán" not in default_directory().safety_message(abroad=False)


def test_directory_is_editable_data(tmp_path: Path):
    edited = tmp_path / "services.yml"
    raw = yaml.safe_load((ROOT / "data" / "services.yml").read_text(encoding="utf-8"))
    raw["services"].append({"id": "new_shelter", "name": "Nhà tạm lánh mới", "needs": ["shelter"],
                            "description": "Thêm bởi người vận hành.", "source": "test", "province": "An Giang"})
    edited.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    directory = ServiceDirectory.load(edited)
    assert directory.for_need("shelter", province="An Giang")[0].id == "new_shelter"
