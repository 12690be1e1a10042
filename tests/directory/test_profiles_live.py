"""The operator's profile choice reaches what people read: the same gateway, national or Quảng Ninh."""
import uuid

import pytest

from tests.bot.test_web_channel import say, texts
from tests.conftest import free_port, start_gateway, stop_gateway

# The gateway with Rasa: the services' runtime only (tests/conftest.py).
pytestmark = pytest.mark.services_runtime


@pytest.fixture(params=["national", "quang_ninh"])
async def profile_gateway(request, backend, redis, store):
    runner, url = await start_gateway(backend.rasa_url, redis, store, backend.token, profile=request.param)
    yield request.param, url
    await stop_gateway(runner)


async def test_call_us_follows_the_profile_in_rasas_answers_and_the_page(profile_gateway, http):
    profile, gateway = profile_gateway
    status, body = await say(http, gateway, "số tổng đài hỗ trợ nạn nhân mua bán người là gì", sender=uuid.uuid4().hex)
    answer = texts(body)
    assert status == 200 and "[[" not in answer
    async with http.get(gateway + "/") as r:
        page = await r.text()
    assert "[[" not in page and 'href="tel:113"' in page and 'href="tel:111"' in page
    if profile == "national":
        assert "111" in answer and "18001769" not in answer + page
    else:
        assert "18001769" in answer and 'href="tel:18001769"' in page


async def test_without_rasa_the_gateways_own_answer_follows_the_profile(http, redis, store):
    for profile, ours in (("national", "111"), ("quang_ninh", "18001769")):
        runner, gateway = await start_gateway(f"http://127.0.0.1:{free_port()}", redis, store, profile=profile)
        try:
            status, body = await say(http, gateway, "cho hỏi về học nghề")
            assert status == 200 and ours in texts(body) and "113" in texts(body)
        finally:
            await stop_gateway(runner)
