"""Scale-out: two gateways and two Rasa servers on loopback, sharing Redis and PostgreSQL
(Rasa's tracker store and our transcript store), behind a round-robin client. People
write several messages without waiting for answers, each landing on the other gateway;
each conversation keeps its order, in our transcript and in Rasa's tracker, and gets
no duplicate or interleaved replies."""
import asyncio
import uuid

import pytest

from tools.launcher import running_backend
from bot.rasa_client import RasaClient
from handoff.store import Store
from directory import Directory
from handoff.texts import PRIVACY_NOTICE as _NOTICE
from nlu.urgency import default_detector
from tests.conftest import TEST_REDIS_URL, rasa_tracker, start_gateway, stop_gateway
from tests.handoff.conftest import user_says

PRIVACY_NOTICE = Directory.load().render(_NOTICE)
from tests.services import fresh_postgres_database, postgres_reachable

# Questions the bot answers without a counsellor (none escalates: the urgency detector rates them
# normal, which this test checks first, since an escalation adds the intake form's turns).
QUESTIONS = ["chào bạn", "số điện thoại đường dây nóng là gì", "đi xuất khẩu lao động cần giấy tờ gì",
             "nạn nhân được hỗ trợ những gì", "công ty xuất khẩu lao động có giấy phép không thì xem ở đâu",
             "cảm ơn bạn nhiều"]
PEOPLE = 8


@pytest.fixture(scope="module")
def databases(tmp_path_factory):
    """(tracker store URL, transcript store URL): PostgreSQL, or SQLite files where it is missing."""
    if postgres_reachable():
        return fresh_postgres_database("hotline_scale_tracker"), fresh_postgres_database("hotline_scale_store")
    tmp = tmp_path_factory.mktemp("scale")
    return f"sqlite:///{tmp / 'tracker.db'}", f"sqlite:///{tmp / 'store.db'}"


@pytest.fixture(scope="module")
def two_rasa_servers(model, tmp_path_factory, databases):
    tracker_url, store_url = databases
    env = {"REDIS_URL": TEST_REDIS_URL, "DATABASE_URL": store_url}
    with running_backend(model, log_dir=tmp_path_factory.mktemp("scale-logs"), env=env, rasa_servers=2,
                         tracker_url=tracker_url) as backend:
        yield backend


@pytest.fixture
async def two_gateways(two_rasa_servers, databases, redis):
    """Stateless gateways: each has its own Redis client and database engine, nothing else shared."""
    started = []
    for _ in range(2):
        store = Store.from_url(databases[1])
        runner, url = await start_gateway(two_rasa_servers.gateway_rasa_url, None, store, two_rasa_servers.token,
                                          redis_url=TEST_REDIS_URL)
        started.append((runner, url, store))
    yield started
    for runner, _url, store in started:
        await stop_gateway(runner)
        store.engine.dispose()


def people_on_both_servers(backend):
    """Senders whose conversations go to one server and the other, half and half."""
    router = RasaClient(None, backend.gateway_rasa_url, 1)
    by_server = {url: [] for url in backend.rasa_urls}
    while min(len(v) for v in by_server.values()) < PEOPLE // 2:
        sender = uuid.uuid4().hex
        first = router.servers_for(f"web:{sender}")[0]
        if len(by_server[first]) < PEOPLE // 2:
            by_server[first].append(sender)
    return [s for senders in by_server.values() for s in senders]


async def test_two_gateways_and_two_rasa_servers_keep_each_conversation_in_order(
        two_rasa_servers, two_gateways, http):
    assert not any(default_detector().assess(q).is_urgent for q in QUESTIONS)
    gateways = [url for _runner, url, _store in two_gateways]
    store = two_gateways[0][2]
    people = people_on_both_servers(two_rasa_servers)
    turn = iter(range(10 ** 6))

    async def person(sender):
        # The first message opens the conversation; the others follow 25 ms apart, without waiting
        # for answers, round-robin over the gateways.
        answers = [await user_says(http, gateways[next(turn) % 2], sender, QUESTIONS[0])]
        sent = []
        for text in QUESTIONS[1:]:
            sent.append(asyncio.create_task(user_says(http, gateways[next(turn) % 2], sender, text)))
            await asyncio.sleep(0.025)
        return answers + list(await asyncio.gather(*sent))

    answers = dict(zip(people, await asyncio.gather(*(person(s) for s in people))))

    for sender, replies in answers.items():
        assert all(r and "tạm gián đoạn" not in r[0] for r in replies), replies
        own = dict(zip(QUESTIONS, replies))  # each message's answers, as its HTTP response gave them
        # Our transcript: each message followed by exactly its own answers, nothing lost or twice.
        messages = store.messages(store.find_conversation("web", sender))
        blocks = []
        for m in messages:
            if m["role"] == "user":
                blocks.append((m["text"], []))
            else:
                blocks[-1][1].append(m["text"])
        order = [text for text, _answers in blocks]
        assert sorted(order) == sorted(QUESTIONS) and order[0] == QUESTIONS[0]
        assert blocks == [(text, own[text]) for text in order]
        # The order is the order the messages reached the gateways (25 ms apart; a loaded machine may
        # swap two), and Rasa's tracker, read from both servers (it is shared), has exactly that order.
        for url in two_rasa_servers.rasa_urls:
            events = (await rasa_tracker(http, url, two_rasa_servers.token, f"web:{sender}"))["events"]
            assert [e["text"] for e in events if e["event"] == "user"] == order
            # Rasa keeps its responses as written, with directory placeholders; the gateway fills them in.
            assert [Directory.load().render(e["text"]) for e in events if e["event"] == "bot"] == [
                t for text in order for t in own[text] if t != PRIVACY_NOTICE]

    served = {}
    for runner, _url, _store in two_gateways:
        for url, count in runner.app["rasa"].served.items():
            served[url] = served.get(url, 0) + count
    assert sorted(served) == sorted(two_rasa_servers.rasa_urls) and min(served.values()) >= 20


async def test_a_conversation_moves_to_the_other_server_when_its_own_is_down(two_rasa_servers, two_gateways, http):
    gateways = [url for _runner, url, _store in two_gateways]
    sender = people_on_both_servers(two_rasa_servers)[0]
    router = RasaClient(None, two_rasa_servers.gateway_rasa_url, 1)
    own = two_rasa_servers.rasa_urls.index(router.servers_for(f"web:{sender}")[0])
    assert (await user_says(http, gateways[0], sender, QUESTIONS[1]))[0]
    two_rasa_servers.kill(two_rasa_servers.rasas[own])
    try:
        replies = await user_says(http, gateways[1], sender, QUESTIONS[2])
        assert replies and "tạm gián đoạn" not in replies[0]
        other = two_rasa_servers.rasa_urls[1 - own]
        tracker = await rasa_tracker(http, other, two_rasa_servers.token, f"web:{sender}")
        said = [e["text"] for e in tracker["events"] if e["event"] == "user"]
        assert said == QUESTIONS[1:3]  # the conversation went on where it was
    finally:
        two_rasa_servers.start_rasa(own)
        two_rasa_servers.wait()

