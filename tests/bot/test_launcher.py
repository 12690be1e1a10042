"""How the launcher configures Rasa: a Redis tracker store that Rasa itself builds and uses,
with trackers expiring like transcripts."""
import uuid

from bot.launcher import tracker_store_lines
from tests.conftest import TEST_REDIS_URL


async def test_rasa_builds_the_redis_tracker_store_we_configure(tmp_path, redis):
    from rasa.core.tracker_store import RedisTrackerStore, TrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker
    from rasa.utils.endpoints import read_endpoint_config

    path = tmp_path / "endpoints.yml"
    path.write_text("\n".join(tracker_store_lines(TEST_REDIS_URL, retention_s=3600)) + "\n")
    store = TrackerStore.create(read_endpoint_config(str(path), "tracker_store"), domain=Domain.empty())
    assert isinstance(store, RedisTrackerStore)
    sender = f"web:{uuid.uuid4().hex}"
    await store.save(DialogueStateTracker.from_events(sender, [UserUttered("xin chào")]))
    assert [e.text for e in (await store.retrieve(sender)).events if isinstance(e, UserUttered)] == ["xin chào"]
    [key] = [k async for k in redis.scan_iter("rasa*")]
    assert 3500 < await redis.ttl(key) <= 3600  # trackers hold what people wrote: they expire


def test_sql_and_memory_tracker_stores():
    assert tracker_store_lines("") == []
    assert tracker_store_lines("postgresql://hotline@db/rasa_tracker") == [
        "tracker_store:", "  type: SQL", '  url: "postgresql://hotline@db/rasa_tracker"']
