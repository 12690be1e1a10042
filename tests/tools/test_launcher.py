"""How the launcher configures Rasa, read by Rasa itself: a Redis tracker store with trackers
expiring like transcripts, and the action server's token as a header."""
import uuid

import pytest

from tools.launcher import action_endpoint_lines, tracker_store_lines
from tests.conftest import TEST_REDIS_URL

# Rasa in this process: Rasa's runtime only (tests/conftest.py).
pytestmark = pytest.mark.rasa_runtime


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


def test_rasa_sends_the_action_token_as_a_header_not_in_the_url(tmp_path):
    from rasa.utils.endpoints import read_endpoint_config

    path = tmp_path / "endpoints.yml"
    path.write_text("\n".join(action_endpoint_lines("http://127.0.0.1:5055/webhook", "-s3cret")) + "\n")
    endpoint = read_endpoint_config(str(path), "action_endpoint")
    assert endpoint.url == "http://127.0.0.1:5055/webhook" and not endpoint.params
    assert endpoint.headers == {"Authorization": "Bearer -s3cret"}
