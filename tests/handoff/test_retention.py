"""The retention job: old words and ids gone, statistics unchanged."""
import time

from handoff.retention import MARKER, anonymise
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
    assert counts == {"messages": 1, "events": 1, "conversations": 1}
    assert [m["text"] for m in store.messages(old)] == [MARKER]
    assert store.messages(recent)[0]["text"] == "nạn nhân có được vay vốn không"
    assert store.conversation(old)["sender"].startswith("anon:") and "0912345678" not in str(store.conversation(old))
    assert store.conversation(recent)["sender"] == "web-session-1"
    assert store.events(old)[0]["detail"] == {}
    assert statistics(store, now - 365 * DAY, now + 1) == before
    assert store.audit.all()[-1]["action"] == "retention"
    assert anonymise(store, 180 * DAY, now)["messages"] == 0  # idempotent
