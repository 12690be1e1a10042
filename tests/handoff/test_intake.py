"""The intake form's answers and the survey (handoff/intake.py) against a real Redis and a real SQL store."""
import pytest

from handoff import texts
from handoff.errors import HandoffError
from tests.handoff.conftest import ensure_user, new_conversation


async def test_close_sends_the_survey_and_stores_the_answers(handoff, store, outbox):
    ensure_user(store, "khanh")
    cid = await new_conversation(handoff, sender="user-3")
    esc = await handoff.queue.escalate(cid, "normal", "human_request")
    await handoff.claims.claim(cid, "khanh")
    with pytest.raises(HandoffError):
        await handoff.claims.close(cid, "khanh", [], "unknown")
    await handoff.claims.close(cid, "khanh", ["counselling_policy"], "not_victim")
    assert texts.SURVEY["satisfied"] in outbox.to("user-3")[-1]
    assert await handoff.intake.survey_reply(cid, "1") == texts.SURVEY["helped"]
    assert await handoff.intake.survey_reply(cid, "khong") == texts.survey_thanks()
    assert await handoff.intake.survey_reply(cid, "1") is None  # survey over
    contact = store.contact(esc.contact_id)
    assert contact["survey_satisfied"] is True and contact["survey_helped"] is False


def test_refusals_of_contact_are_recognised():
    from handoff.texts import refuses_contact

    for answer in ("không", "ko", "Đừng liên hệ lại", "khong goi lai", "dung nhan tin"):
        assert refuses_contact(answer), answer
    for answer in ("nhắn zalo sau 9 giờ tối", "gọi số này buổi sáng", "bỏ qua"):
        assert not refuses_contact(answer), answer
