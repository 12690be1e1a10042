"""Statistics from a seeded history, by hand and through the CSV export."""
import csv
import datetime as dt
import io
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
            text = (await r.read()).decode("utf-8-sig")
        rows = {row[1]: row[2] for row in csv.reader(io.StringIO(text))}
        assert rows["contacts_received"] == "10" and rows["referral_rescue"] == "3"
        assert rows["unanswered_critical"] == "1" and rows["channel_web"] == "6"
        assert rows["critical_claim_p90_s"] == "50" and rows["province_Lai Châu"] == "3"
        _, figures = await supervisor.call("GET", "/api/stats?from=2026-11-01&to=2026-11-30")
        assert int(rows["information"]) == figures["information"] == 4
        assert ("truong.ca", "export_stats") in [(a["actor"], a["action"]) for a in seeded.audit.all()]
        status, body = await supervisor.call("GET", "/api/stats?from=hôm-qua&to=2026-11-30")
        assert status == 400 and body["error"] == "invalid_period"
    finally:
        await supervisor.close()
        await counsellor.close()
        await stop_gateway(runner)
