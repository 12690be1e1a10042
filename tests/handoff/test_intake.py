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


def test_the_phone_question_is_stored_as_what_the_answer_means():
    """Issue 16: "Lúc này có ai đang xem điện thoại của bạn không?" — a yes means someone is watching."""
    from handoff.intake import NOT_WATCHED, WATCHED, watched_meaning

    for answer in ("có", "Có.", "co", "ừ", "vâng", "dạ có", "có người", "CÓ NGƯỜI ĐANG XEM", "yes", WATCHED):
        assert watched_meaning(answer) == WATCHED, answer
    for answer in ("không", "ko", "k", "Không ạ", "không có ai", "ko ai xem", "chưa", "no", NOT_WATCHED):
        assert watched_meaning(answer) == NOT_WATCHED, answer
    # more than yes or no: kept as written, for the counsellor to read
    for answer in ("chồng em hay xem lúc tối", "bây giờ thì không, tối thì có", "dạ"):
        assert watched_meaning(answer) == answer, answer
    assert watched_meaning("") == "" and watched_meaning("  ") == ""


async def test_the_intake_keeps_the_meaning_for_the_console(handoff, store):
    cid = await new_conversation(handoff)
    await handoff.queue.escalate(cid, "normal", "human_request")
    await handoff.intake.set_intake(cid, "Móng Cái", "co", "nhắn zalo buổi tối")
    state = await handoff.conversations.state(cid)
    assert state["intake_safe_now"] == "có người đang xem điện thoại"
    [event] = [e for e in store.events(cid) if e["kind"] == "intake"]
    assert event["detail"]["intake_safe_now"] == "có người đang xem điện thoại"


async def test_a_referral_keeps_the_case_open_without_ended_or_survey(handoff, store, outbox):
    from directory import Directory

    render = Directory.load().render
    ensure_user(store, "loan")
    for sender, refuses, outcomes in (("user-12", False, ["referral_rescue"]),
                                      ("user-13", True, ["counselling_psychological", "referral_support"])):
        cid = await new_conversation(handoff, sender=sender)
        await handoff.queue.escalate(cid, "critical", "urgency")
        await handoff.intake.set_intake(cid, "Bavet", "không", "không" if refuses else "nhắn lúc 9 giờ tối")
        await handoff.claims.claim(cid, "loan")
        await handoff.claims.close(cid, "loan", outcomes, "suspected")
        told = outbox.to(sender)[-1]
        assert told == render(texts.referral_in_progress(may_contact=not refuses))
        assert "kết thúc" not in told and texts.SURVEY["satisfied"] not in told
        state = await handoff.conversations.state(cid)
        assert state["state"] == "bot" and state["follow_up"] == "1" and state["survey"] == ""
        assert await handoff.intake.survey_reply(cid, "1") is None  # "1" is not a survey answer here
        [closed] = [e for e in store.events(cid) if e["kind"] == "closed"]
        assert closed["detail"]["follow_up"] is True
    # a case that really ended gets the survey, and ends any follow-up
    await handoff.queue.escalate(cid, "high", "follow_up", ["follow_up"])
    await handoff.claims.claim(cid, "loan")
    await handoff.claims.close(cid, "loan", ["counselling_services"], "confirmed")
    assert texts.SURVEY["satisfied"] in outbox.to("user-13")[-1]
    assert (await handoff.conversations.state(cid))["follow_up"] == ""
