"""Error reports reach Sentry without the people in them."""
import asyncio
import uuid

import pytest
import sentry_sdk

from tools.launcher import free_port
from handoff.store import Store
from handoff.store.tables import messages
from shared import errors
from tests.conftest import start_gateway, stop_gateway
from tests.fakes.sentry import FakeSentry

# Through a real gateway, with sentry-sdk 2 (Rasa's runtime has sentry-sdk 1): the services' runtime only.
pytestmark = pytest.mark.services_runtime

PHONE, CCCD = "0912 345 678", "001204012345"
TEXT = "em bị nhốt ở Bavet, số của em"


@pytest.fixture
async def sentry():
    fake = FakeSentry()
    runner = await fake.start(free_port())
    assert errors.init(fake.dsn(), "test")
    yield fake
    sentry_sdk.get_client().close()
    sentry_sdk.get_global_scope().set_client(None)  # reporting off again for the other tests
    await runner.cleanup()


async def test_a_failing_request_reports_the_error_without_phone_text_or_ids(sentry, http, redis, tmp_path):
    # A store whose messages table is gone: the INSERT fails, and SQLAlchemy's error message
    # carries the statement's parameters, i.e. the person's words and number.
    broken = Store.from_url(f"sqlite:///{tmp_path / 'broken.sqlite3'}")
    messages.drop(broken.engine)
    runner, gateway = await start_gateway(f"http://127.0.0.1:{free_port()}", redis, broken)
    sender = str(uuid.uuid4())
    try:
        async with http.post(f"{gateway}/webhooks/web",
                             json={"sender": sender, "text": f"{TEXT} {PHONE}, CCCD {CCCD}"}) as r:
            assert r.status == 500
        async with http.get(f"{gateway}/webhooks/web/updates?sender={sender}&after=bad&text=0987654321") as r:
            assert r.status == 400
    finally:
        await stop_gateway(runner)
    await asyncio.to_thread(sentry_sdk.flush, 5)
    assert any(e.get("exception") for e in sentry.events), "the error reached Sentry"
    event = next(e for e in sentry.events if e.get("exception"))
    assert event["exception"]["values"][-1]["type"] == "OperationalError"
    assert event["request"]["url"].endswith("/webhooks/web")
    everything = "\n".join(sentry.raw)
    for secret in (PHONE, PHONE.replace(" ", ""), "912345678", CCCD, "nhốt", "Bavet", sender, "0987654321"):
        assert secret not in everything, secret


def test_scrubbing_finds_vietnamese_numbers_and_ids():
    text = ("gọi +84 912 345 678 hoặc 0987.654.321, CCCD 001204012345, chat -1001234567890, "
            "zalo 5798634511257485231, web 3f2a6c1e-8b7d-4c2a-9f1e-2b3c4d5e6f70, hotline 18001769, 113")
    scrubbed = errors.scrub_text(text)
    for secret in ("912 345 678", "0987.654.321", "001204012345", "1001234567890", "5798634511257485231",
                   "3f2a6c1e-8b7d"):
        assert secret not in scrubbed
    assert "18001769" in scrubbed and "113" in scrubbed  # the hotline's own numbers stay readable
    sql = "(sqlite3.OperationalError) no such table [SQL: INSERT ...] [parameters: ('abc', 'user', 'em bị nhốt')]"
    assert "em bị nhốt" not in errors.scrub_text(sql)


def test_without_a_dsn_nothing_is_sent():
    assert errors.init("") is False
