"""Someone who writes in another language than Vietnamese (issue 18, part 3): the safety message in
their language, their case in the queue with its language for the counsellor, and the statistics
counting contacts by language. Rasa, which answers Vietnamese only, is not asked (it is down here)."""
import asyncio
import datetime as dt
import uuid

import pytest

from directory import default_directory
from directory.languages import languages, safety
from tests.conftest import start_gateway, stop_gateway
from tests.handoff.conftest import Console, consoles, ensure_user, signed_in, user_says  # noqa: F401 (consoles: a fixture)
from tools.launcher import free_port

MESSAGES = {
    "km": "ជួយខ្ញុំផង ខ្ញុំត្រូវគេចាប់ឃុំនៅក្នុងផ្ទះ",
    "zh": "救救我，我被关起来了，他们拿走了我的护照",
    "th": "ช่วยด้วย ฉันถูกขังอยู่ในบ้าน",
    "lo": "ຊ່ວຍຂ້ອຍແດ່ ຂ້ອຍຖືກກັກຂັງຢູ່ໃນເຮືອນ",
    "my": "ကူညီပါ ကျွန်မကို အခန်းထဲမှာ ပိတ်ထားတယ်",
    "hmn": "Thov pab kuv, lawv kaw kuv hauv tsev, kuv tsis tau mus tsev",
}


@pytest.mark.parametrize("language", sorted(MESSAGES))
async def test_a_message_in_another_language_gets_its_safety_message_and_a_counsellor(
        language, gateway_without_rasa, consoles, store, http):
    gateway, person = gateway_without_rasa, uuid.uuid4().hex
    replies = await user_says(http, gateway, person, MESSAGES[language])
    expected = safety(default_directory(), language)
    assert replies == [expected]
    assert "113" in expected and "111" in expected
    assert languages()[language].awaiting_review  # a native speaker has yet to check it
    # A second message: with the counsellor already, nothing more from the bot.
    assert await user_says(http, gateway, person, MESSAGES[language]) == []

    lan = await signed_in(consoles, store, "lan")
    _, queue = await lan.call("GET", "/api/queue")
    [case] = [c for c in queue["waiting"] if c["sender"].endswith(person[-3:])]
    assert case["language"] == language and case["language_name"] == languages()[language].name
    assert case["priority"] == "high" and case["trigger"] == "language"


async def test_english_is_answered_in_english_and_counted_by_language(gateway_without_rasa, consoles, store, http):
    gateway = gateway_without_rasa
    asking, urgent, vietnamese = (uuid.uuid4().hex for _ in range(3))
    replies = await user_says(http, gateway, asking, "Hi, what documents do I need to work legally in Japan?")
    assert replies == [safety(default_directory(), "en")] and replies[0].startswith("We have your message")
    # English the urgency detector reads: critical, and still answered in English.
    replies = await user_says(http, gateway, urgent, "please help, they locked me in a room and took my passport")
    assert replies == [safety(default_directory(), "en")]
    ok = await user_says(http, gateway, urgent, "ok")  # a short word keeps the conversation's language
    assert ok == []
    answer = await user_says(http, gateway, vietnamese, "cho em hỏi đi Nhật làm việc cần giấy tờ gì")
    assert answer and "Xin lỗi" in answer[0]  # Vietnamese goes to the bot (down here: its numbers)

    supervisor = await signed_in(consoles, store, "chi.ha", role="supervisor")
    _, queue = await supervisor.call("GET", "/api/queue")
    priorities = {c["sender"][-3:]: (c["priority"], c["language"]) for c in queue["waiting"]}
    assert priorities[asking[-3:]] == ("normal", "en") and priorities[urgent[-3:]] == ("critical", "en")
    days = f"from={dt.date.today() - dt.timedelta(days=1)}&to={dt.date.today() + dt.timedelta(days=1)}"
    status, stats = await supervisor.call("GET", f"/api/stats?{days}")
    assert status == 200 and stats["by_language"].get("en") == 2
    status, csv = await supervisor.call("GET", f"/api/stats.csv?{days}")
    assert status == 200 and "Số cuộc bằng tiếng Anh,2" in csv


@pytest.fixture
async def gateway_offering_for_a_second(redis, store):
    """Rasa down; a case in a language waits one second for its speakers before everyone sees it."""
    runner, url = await start_gateway(f"http://127.0.0.1:{free_port()}", redis, store, language_offer_wait_s=1.0)
    yield url
    await stop_gateway(runner)


async def test_a_case_in_khmer_goes_first_to_the_counsellor_who_speaks_it(gateway_offering_for_a_second, store, http):
    gateway = gateway_offering_for_a_second
    for name in ("an.km", "binh"):
        ensure_user(store, name)
    ensure_user(store, "chi.sup", role="supervisor")
    status, _ = await _admin_sets_languages(gateway, store, "an.km", ["km"])
    assert status == 200
    an, binh, supervisor = Console(gateway), Console(gateway), Console(gateway)
    try:
        for console, name in ((an, "an.km"), (binh, "binh"), (supervisor, "chi.sup")):
            assert (await console.login(name))[0] == 200
            await console.call("POST", "/api/presence", {"status": "online"})
        await user_says(http, gateway, uuid.uuid4().hex, MESSAGES["km"])

        async def sees(console):
            return [c["language"] for c in (await console.call("GET", "/api/queue"))[1]["waiting"]]

        assert await sees(an) == ["km"] and await sees(supervisor) == ["km"]
        assert await sees(binh) == []  # offered to the Khmer speaker first
        await asyncio.sleep(1.2)
        assert await sees(binh) == ["km"]  # then to everyone: nobody waits unseen

        # With no Khmer speaker online, everyone sees a new Khmer case at once.
        await an.call("POST", "/api/presence", {"status": "away"})
        await user_says(http, gateway, uuid.uuid4().hex, "ខ្ញុំត្រូវការជំនួយ គេយកលិខិតឆ្លងដែនខ្ញុំ")
        assert await sees(binh) == ["km", "km"]
    finally:
        for console in (an, binh, supervisor):
            await console.close()


async def _admin_sets_languages(gateway, store, username, codes):
    ensure_user(store, "quan.tri", role="admin")
    admin = Console(gateway)
    try:
        assert (await admin.login("quan.tri"))[0] == 200
        status, body = await admin.call("POST", f"/api/accounts/{username}/languages", {"languages": codes})
        assert (await admin.call("POST", f"/api/accounts/{username}/languages", {"languages": ["xx"]}))[0] == 400
        return status, body
    finally:
        await admin.close()
