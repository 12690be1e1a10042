"""The store's writes kept in Redis while SQL cannot take them (handoff/spool.py): a full disk
under SQLite (a real one: a small tmpfs filled up), written out in order and once when space
comes back; and the buffer's own rules."""
import json
import subprocess
import time
import uuid

import pytest
import sqlalchemy as sa

from handoff.service import Handoff
from handoff.store import Store
from handoff.store.spooled import apply_entry
from handoff.store.tables import contacts, events, messages
from tests.handoff.conftest import ensure_user


@pytest.fixture
def small_disk(tmp_path):
    """A 4 MiB file system of the test's own (tmpfs), which the test fills up."""
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(disk)], capture_output=True)
    if mounted.returncode:
        pytest.skip(f"a small file system cannot be mounted here: {mounted.stderr.decode().strip()}")
    yield disk
    subprocess.run(["umount", "-l", str(disk)], check=False)


def fill(disk):
    """Write zeros until the disk is full; the file to remove to free it."""
    filler = disk / "filler"
    with open(filler, "wb") as f:
        try:
            while True:
                f.write(b"\0" * 65536)
                f.flush()
        except OSError:
            pass
    return filler


def stored(store, cid):
    with store.engine.connect() as db:
        return [(r.role, r.text) for r in db.execute(
            sa.select(messages.c.role, messages.c.text).where(messages.c.conversation_id == cid).order_by(messages.c.id))]


async def test_a_full_disk_loses_nothing_and_the_case_goes_on(small_disk, redis, config):
    store = Store.from_url(f"sqlite:///{small_disk / 'hotline.sqlite3'}")
    handoff = Handoff(redis, store, config)
    cid = await handoff.conversations.conversation_for("web", uuid.uuid4().hex)
    await handoff.transcript.record(cid, "user", "cho em hỏi đi làm ở Nhật cần giấy tờ gì")

    filler = fill(small_disk)
    urgent = "cứu em, họ nhốt em ở xưởng, không cho về"
    first = await handoff.transcript.record(cid, "user", urgent)
    assert first["id"] < 0  # provisional: the store could not take it, Redis kept it
    escalation = await handoff.queue.escalate(cid, "critical", "urgency", ["confinement"], first["id"], urgent)
    assert escalation.status == "queued" and escalation.contact_id < 0
    assert [w.conversation_id for w in await handoff.queue.ordered()] == [cid]  # in line at once
    await handoff.transcript.record(cid, "bot", "Nếu bạn đang gặp nguy hiểm, hãy gọi 113.")
    newcomer = await handoff.conversations.conversation_for("web", uuid.uuid4().hex)  # a first message
    await handoff.transcript.record(newcomer, "user", "chị ơi em bị lừa sang biên giới")
    waiting = await handoff.spool.pending()
    assert waiting >= 6

    assert await handoff.spool.drain() == 0  # still full: nothing written, nothing lost, in order
    assert await handoff.spool.pending() == waiting

    full_until = time.time()
    filler.unlink()
    assert await handoff.spool.drain() == waiting
    assert await handoff.spool.pending() == 0 and not await redis.exists(handoff.keys.spool("active"))
    assert stored(store, cid) == [("user", "cho em hỏi đi làm ở Nhật cần giấy tờ gì"), ("user", urgent),
                                  ("bot", "Nếu bạn đang gặp nguy hiểm, hãy gọi 113.")]
    assert stored(store, newcomer) == [("user", "chị ơi em bị lừa sang biên giới")]
    with store.engine.connect() as db:
        contact = db.execute(sa.select(contacts).where(contacts.c.conversation_id == cid)).one()
        trigger = db.execute(sa.select(messages.c.text).where(messages.c.id == contact.trigger_message_id)).scalar()
        queued = db.execute(sa.select(events.c.contact_id).where(events.c.kind == "queued")).scalar()
    assert contact.id > 0 and trigger == urgent and queued == contact.id
    # Each row keeps the time it happened, not the time SQL took it.
    assert contact.queued_at < full_until
    assert all(m["created_at"] < full_until for m in store.messages(cid) + store.messages(newcomer))
    # The live state now holds the real contact, so the counsellor's steps reach its row.
    assert (await handoff.conversations.state(cid))["contact"] == str(contact.id)
    ensure_user(store, "lan")
    await handoff.claims.claim(cid, "lan")
    await handoff.claims.close(cid, "lan", ["referral_rescue"], "suspected")
    assert store.contact(contact.id)["closed_at"] and store.contact(contact.id)["counsellor"] == "lan"
    store.engine.dispose()


async def test_a_write_waits_behind_older_buffered_ones_even_with_sql_back(redis, store, config):
    handoff = Handoff(redis, store, config)
    cid = await handoff.conversations.conversation_for("web", uuid.uuid4().hex)
    # As a moment ago, while SQL was away: one message went to the buffer.
    await handoff.spool.buffer("add_message", {"conversation_id": cid, "role": "user", "text": "một",
                                               "author": None, "contact_id": None, "at": 1.0})
    later = await handoff.transcript.record(cid, "user", "hai")  # SQL is up, but "một" is not in yet
    assert later["id"] < 0 and await handoff.spool.pending() == 2
    assert await handoff.spool.drain() == 2
    assert stored(store, cid) == [("user", "một"), ("user", "hai")]
    direct = await handoff.transcript.record(cid, "user", "ba")  # the buffer is empty: straight to SQL
    assert direct["id"] > 0 and await handoff.spool.pending() == 0


async def test_an_entry_written_twice_makes_one_row(redis, store, config):
    """A process stopped after an entry's commit and before its delete from the stream: the next
    drain finds the entry written and does not write it again."""
    handoff = Handoff(redis, store, config)
    cid = await handoff.conversations.conversation_for("web", uuid.uuid4().hex)
    await handoff.spool.buffer("add_message", {"conversation_id": cid, "role": "user", "text": "em ở đây",
                                               "author": None, "contact_id": None, "at": 2.0})
    [(entry, fields)] = await redis.xrange(handoff.keys.spool("entries"))
    first = apply_entry(store, entry.decode(), "add_message", json.loads(fields[b"a"]))
    assert await handoff.spool.drain() == 1
    assert stored(store, cid) == [("user", "em ở đây")]
    with store.engine.connect() as db:
        assert db.execute(sa.select(messages.c.id).where(messages.c.conversation_id == cid)).scalar() == first


async def test_an_entry_the_store_refuses_is_kept_aside_and_the_rest_goes_on(redis, store, config):
    handoff = Handoff(redis, store, config)
    cid = await handoff.conversations.conversation_for("web", uuid.uuid4().hex)
    await handoff.spool.buffer("open_contact", {"conversation_id": cid, "priority": None, "trigger": "urgency",
                                                "reasons": [], "trigger_message_id": None, "at": 3.0})
    await handoff.spool.buffer("add_message", {"conversation_id": cid, "role": "user", "text": "sau đó",
                                               "author": None, "contact_id": None, "at": 4.0})
    assert await handoff.spool.drain() == 2
    assert stored(store, cid) == [("user", "sau đó")]
    [(_, refused)] = await redis.xrange(handoff.keys.spool("failed"))
    assert refused[b"w"] == b"open_contact" and refused[b"error"] == b"IntegrityError"
