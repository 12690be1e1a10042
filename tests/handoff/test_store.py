"""The transcript store on SQLite (default) and PostgreSQL (DATABASE_URL)."""
import uuid

import pytest

from handoff.service import Handoff
from handoff.store import Store
from handoff.store.tables import metadata
from tests.handoff.conftest import ensure_user
from tests.services import PG_SERVER, postgres_reachable

PG_URL = f"{PG_SERVER}/test"


@pytest.fixture(params=["sqlite", "postgresql"])
def any_store(request, tmp_path):
    if request.param == "sqlite":
        yield Store.from_url(f"sqlite:///{tmp_path / 'store.sqlite3'}")
        return
    if not postgres_reachable():
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432 (make services starts it where installed)")
    store = Store.from_url(PG_URL)
    metadata.drop_all(store.engine)
    metadata.create_all(store.engine)
    yield store
    metadata.drop_all(store.engine)
    store.engine.dispose()


async def test_a_whole_contact_is_stored(any_store, redis, config):
    handoff = Handoff(redis, any_store, config)
    ensure_user(any_store, "lan")
    cid = await handoff.conversations.conversation_for("web", uuid.uuid4().hex)
    first = await handoff.transcript.record(cid, "user", "Cứu em, em bị nhốt ở Bavet 😢")
    esc = await handoff.queue.escalate(cid, "critical", "urgency", ["confinement"], first["id"])
    await handoff.claims.claim(cid, "lan")
    await handoff.replies.reply(cid, "lan", "Chị ở đây. Em có gọi được 113 không?")
    await handoff.replies.note(cid, "lan", "Nghi trẻ vị thành niên")
    await handoff.claims.close(cid, "lan", ["referral_rescue"], "suspected")
    assert [m["role"] for m in any_store.messages(cid)] == ["user", "system", "counsellor", "note", "system"]
    assert any_store.messages(cid)[0]["text"] == "Cứu em, em bị nhốt ở Bavet 😢"
    contact = any_store.contact(esc.contact_id)
    assert contact["reasons"] == ["confinement"] and contact["trigger_message_id"] == first["id"]
    assert contact["outcomes"] == ["referral_rescue"] and contact["closed_at"]
    assert [e["kind"] for e in any_store.events(cid)] == ["queued", "claimed", "closed"]
    any_store.audit.record("lan", "read_transcript", cid)
    assert any_store.audit.all()[-1]["object"] == cid
