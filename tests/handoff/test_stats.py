"""Statistics from a seeded history, by hand and through the CSV export."""
import csv
import datetime as dt
import io
import re
from zoneinfo import ZoneInfo

import pytest

from handoff.stats import percentile, statistics
from handoff.store import Store
from tests.conftest import free_port, start_gateway, stop_gateway
from tests.handoff.conftest import Console, ensure_user

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def at(day, hour=10):
    return dt.datetime(2026, 11, day, hour, tzinfo=VN).timestamp()


# (channel, priority, queued day, claim after s, first reply after s, outcomes, victim, satisfied)
HISTORY = [
    ("web", "critical", 3, 20, 40, ["referral_rescue", "counselling_psychological"], "confirmed", True),
    ("telegram", "critical", 4, 50, 70, ["referral_rescue"], "suspected", True),
    ("sms", "critical", 5, None, None, [], None, None),  # nobody claimed it
    ("web", "high", 6, 100, 130, ["counselling_policy", "information"], "suspected", False),
    ("zalo", "high", 7, 200, 260, ["counselling_services", "referral_support"], "not_victim", True),
    ("web", "normal", 8, 300, 330, ["information"], "unknown", None),
    ("telegram", "normal", 9, 600, 700, ["information", "counselling_psychological"], "unknown", False),
    ("web", "normal", 28, 30, 45, ["no_counselling"], "unknown", None),
    ("web", "critical", 1, 10, 20, ["referral_rescue"], "confirmed", True),  # the first day of the period
    ("web", "critical", 30, 10, 20, ["information"], "unknown", True),  # and the last
]
OUTSIDE = ("web", "critical", None, 10, 20, ["referral_rescue"], "confirmed", True)  # 1 Dec


@pytest.fixture
def seeded(tmp_path):
    store = Store.from_url(f"sqlite:///{tmp_path / 'history.sqlite3'}")
    rows = HISTORY + [OUTSIDE]
    for i, (channel, priority, day, claim, first, outcomes, victim, satisfied) in enumerate(rows):
        queued = at(day) if day else dt.datetime(2026, 12, 1, 9, tzinfo=VN).timestamp()
        cid = f"{i:032x}"
        store.find_or_create_conversation(channel, f"sender-{i}", cid)
        contact = store.open_contact(cid, priority, "urgency", [], None, queued)
        values = {"outcomes": outcomes or None, "victim": victim, "survey_satisfied": satisfied}
        if claim is not None:
            values.update(claimed_at=queued + claim, first_response_at=queued + first, closed_at=queued + 900,
                          counsellor="lan")
        if channel == "web" and priority == "critical":  # these people named where they are
            store.add_event(cid, "place", None, None, "gateway", contact, queued, province="Lai Châu")
        values = {k: v for k, v in values.items() if v is not None}
        if values:
            store.update_contact(contact, **values)
    return store


def test_figures_match_the_seeded_history(seeded):
    figures = statistics(seeded, at(1, 0), at(30, 23) + 3600)
    assert figures["contacts_received"] == 10
    assert figures["information"] == 4
    assert figures["counselling_psychological"] == 2
    assert figures["counselling_policy"] == 1 and figures["counselling_services"] == 1
    assert figures["referral_rescue"] == 3 and figures["referral_support"] == 1
    assert figures["victims_supported"] == 4  # confirmed or suspected
    assert figures["unanswered_critical"] == 1
    assert figures["satisfied_share"] == round(5 / 7, 3)
    assert figures["by_channel"] == {"sms": 1, "telegram": 2, "web": 6, "zalo": 1}
    assert figures["by_province"] == {"Lai Châu": 3, "không rõ": 7}
    critical = figures["times"]["critical"]
    assert critical["contacts"] == 5
    assert critical["claim_median_s"] == 10 and critical["claim_p90_s"] == 50  # 10, 10, 20, 50
    assert figures["times"]["normal"]["first_response_median_s"] == 330  # 45, 330, 700
    only_web = statistics(seeded, at(1, 0), at(30, 23) + 3600, "web")
    assert only_web["contacts_received"] == 6 and only_web["by_channel"] == {"web": 6}


def test_percentile_is_nearest_rank():
    assert percentile([], 50) is None
    assert percentile([5], 90) == 5
    assert percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90) == 9
    assert percentile([10, 20, 30, 40], 50) == 20


async def test_the_csv_export_holds_the_same_figures_and_is_audited(seeded, redis, http):
    runner, gateway = await start_gateway(f"http://127.0.0.1:{free_port()}", redis, seeded)
    ensure_user(seeded, "truong.ca", "supervisor")
    ensure_user(seeded, "tu.van", "counsellor")
    supervisor, counsellor = Console(gateway), Console(gateway)
    try:
        await supervisor.login("truong.ca")
        await counsellor.login("tu.van")
        period = "/api/stats.csv?from=2026-11-01&to=2026-11-30"
        assert (await counsellor.call("GET", "/api/stats?from=2026-11-01&to=2026-11-30"))[0] == 403
        async with supervisor.http.get(gateway + period) as r:
            assert r.status == 200 and "attachment" in r.headers["Content-Disposition"]
            raw = await r.read()
        assert r.headers["Content-Type"].startswith("text/csv")
        assert raw.startswith(b"\xef\xbb\xbf")  # the BOM: Excel then reads UTF-8 and shows the diacritics
        lines = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
        assert lines[0] == ["Chỉ số", "Giá trị"] and all(len(line) == 2 for line in lines)
        rows = dict(lines[1:])
        assert rows["Từ ngày"] == "01/11/2026" and rows["Đến ngày"] == "30/11/2026"
        assert rows["Kênh"] == "Tất cả các kênh"
        assert re.fullmatch(r"\d\d/\d\d/20\d\d \d\d:\d\d", rows["Xuất lúc (giờ Việt Nam)"])
        assert rows["Số cuộc tiếp nhận"] == "10" and rows["Chuyển tuyến giải cứu"] == "3"
        assert rows["Tư vấn tâm lý"] == "2" and rows["Nạn nhân được hỗ trợ"] == "4"
        assert rows["Trường hợp khẩn cấp chưa được nhận"] == "1"
        # 5 of the 7 who answered the survey were satisfied: a share, not "1" or 0.714.
        assert rows["Tỷ lệ hài lòng"] == "71%"
        assert rows["Số người trả lời khảo sát"] == "7" and rows["Số người hài lòng"] == "5"
        assert rows["Số cuộc qua kênh Web"] == "6" and rows["Số cuộc qua kênh Zalo"] == "1"
        assert rows["Số cuộc từ Lai Châu"] == "3" and rows["Số cuộc không rõ tỉnh, thành"] == "7"
        assert rows["Khẩn cấp: thời gian chờ đến khi được nhận, 90% số cuộc không quá (giây)"] == "50"
        assert rows["Thường: thời gian đến câu trả lời đầu tiên, trung vị (giây)"] == "330"
        assert rows["Cao: số cuộc"] == "2"
        # No English code left: no key, no channel or urgency name the way the JSON spells them.
        english = re.compile(r"\b(?:contacts|referral|critical|high|normal|channel|province|web|zalo|sms|"
                             r"telegram|median|p90|satisfied)\b")
        assert not [cell for line in lines for cell in line if english.search(cell)]
        _, figures = await supervisor.call("GET", "/api/stats?from=2026-11-01&to=2026-11-30")
        assert int(rows["Cung cấp thông tin"]) == figures["information"] == 4
        assert figures["surveyed"] == 7 and figures["satisfied"] == 5
        assert ("truong.ca", "export_stats", "01/11/2026–30/11/2026") in [
            (a["actor"], a["action"], a["object"]) for a in seeded.audit.all()]
        async with supervisor.http.get(gateway + period + "&channel=zalo") as r:
            one_channel = dict(list(csv.reader(io.StringIO((await r.read()).decode("utf-8-sig"))))[1:])
        assert one_channel["Kênh"] == "Zalo" and one_channel["Số cuộc tiếp nhận"] == "1"
        assert one_channel["Tỷ lệ hài lòng"] == "100%"
        status, body = await supervisor.call("GET", "/api/stats?from=hôm-qua&to=2026-11-30")
        assert status == 400 and body["error"] == "invalid_period"
    finally:
        await supervisor.close()
        await counsellor.close()
        await stop_gateway(runner)
