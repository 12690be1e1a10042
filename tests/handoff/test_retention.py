"""The retention job: old words and ids gone, statistics unchanged."""
import time

from handoff.retention import MARKER, MARKER_ERASED, anonymise, erase_conversation
from handoff.stats import statistics
from handoff.store import Store

DAY = 86400


def test_old_text_is_gone_and_the_statistics_are_unchanged(tmp_path):
    store = Store.from_url(f"sqlite:///{tmp_path / 'r.sqlite3'}")
    now = time.time()
    old, recent = "a" * 32, "b" * 32
    store.find_or_create_conversation("sms", "0912345678", old)
    store.find_or_create_conversation("web", "web-session-1", recent)
    with store.engine.begin() as db:  # the old conversation began 200 days ago
        from handoff.store.tables import conversations
        db.execute(conversations.update().where(conversations.c.id == old).values(created_at=now - 200 * DAY))
    store.add_message(old, "user", "em bị nhốt ở Bavet, số em 0912345678", at=now - 200 * DAY)
    store.add_message(recent, "user", "nạn nhân có được vay vốn không", at=now - 2 * DAY)
    contact = store.open_contact(old, "critical", "urgency", ["confinement"], None, now - 200 * DAY)
    store.update_contact(contact, claimed_at=now - 200 * DAY + 30, outcomes=["referral_rescue"], victim="confirmed")
    store.add_event(old, "intake", "queued", "queued", "bot", contact, now - 200 * DAY,
                    intake_location="Bavet", intake_contact="nhắn sau 9 giờ")
    before = statistics(store, now - 365 * DAY, now + 1)

    counts = anonymise(store, 180 * DAY, now)
    assert counts == {"messages": 1, "events": 1, "conversations": 1, "cases": 0}
    assert [m["text"] for m in store.messages(old)] == [MARKER]
    assert store.messages(recent)[0]["text"] == "nạn nhân có được vay vốn không"
    assert store.conversation(old)["sender"].startswith("anon:") and "0912345678" not in str(store.conversation(old))
    assert store.conversation(recent)["sender"] == "web-session-1"
    assert store.events(old)[0]["detail"] == {}
    assert statistics(store, now - 365 * DAY, now + 1) == before
    assert store.audit.all()[-1]["action"] == "retention"
    assert anonymise(store, 180 * DAY, now)["messages"] == 0  # idempotent


def _case_with_words(store, title, closed_at=None):
    case_id = store.cases.create(title, "lan")
    store.cases.add_person(case_id, "caller", "chị Mai, mẹ của H., số 0912345678", "26+", "female", "lan")
    store.cases.add_note(case_id, "H. đang ở Bavet, gọi lại sau 9 giờ", "lan")
    store.cases.add_task(case_id, "Gọi chị Mai thứ Năm", "2026-01-08", "lan", "lan")
    store.cases.decide(case_id, "restricts_movement", "confirmed", "lan")
    if closed_at is not None:
        store.cases.set_status(case_id, "closed", "lan")
        from handoff.store.tables import cases
        with store.engine.begin() as db:
            db.execute(cases.update().where(cases.c.id == case_id).values(closed_at=closed_at))
    return case_id


def _words(store, case_id):
    return " ".join([store.cases.get(case_id)["title"], *(p["description"] for p in store.cases.people(case_id)),
                     *(t["title"] for t in store.cases.tasks(case_id)), str(store.cases.timeline(case_id))])


def test_a_case_closed_long_ago_loses_its_words_and_keeps_its_codes(tmp_path):
    store = Store.from_url(f"sqlite:///{tmp_path / 'c.sqlite3'}")
    now = time.time()
    old = _case_with_words(store, "Chị H., Bavet", closed_at=now - 200 * DAY)
    still_open = _case_with_words(store, "Em T., Myawaddy")
    assert anonymise(store, 180 * DAY, now)["cases"] == 1
    words = _words(store, old)
    assert "Mai" not in words and "0912345678" not in words and "Bavet" not in words and MARKER in words
    assert store.cases.confirmed([old]) == {old: {"restricts_movement"}}
    assert store.cases.people(old)[0]["age_group"] == "26+"
    assert "Myawaddy" in _words(store, still_open)
    assert anonymise(store, 180 * DAY, now)["cases"] == 0  # idempotent


def test_erasing_a_conversation_erases_the_words_of_its_cases(tmp_path):
    store = Store.from_url(f"sqlite:///{tmp_path / 'e.sqlite3'}")
    cid, other = "c" * 32, "d" * 32
    store.find_or_create_conversation("web", "web-1", cid)
    store.find_or_create_conversation("web", "web-2", other)
    contact = store.open_contact(cid, "critical", "urgency", ["confinement"], None, time.time())
    case_id, kept = _case_with_words(store, "Chị H., Bavet"), _case_with_words(store, "Em T., Myawaddy")
    store.cases.attach(case_id, contact, "lan")
    erase_conversation(store, cid)
    assert "Mai" not in _words(store, case_id) and MARKER_ERASED in _words(store, case_id)
    assert "Myawaddy" in _words(store, kept)
