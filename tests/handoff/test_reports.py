"""The three reports of issue 17 (docs/cases.md, "Reports") from one seeded month, February 2025,
built through the real API on a real gateway, Redis and SQL store (SQLite and PostgreSQL): logged
calls and walk-ins of every contact type (POST /api/calls), chats escalated through the web
webhook, claimed and closed with the close form, and cases with confirmed indicators. The
statistics (JSON and CSV), the CHI report (JSON and CSV) and the case export (JSON and CSV) must
all give the seeded figures, each asserted against the numbers below, not against the code."""
import csv
import datetime as dt
import io
import json
import re
import uuid
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from handoff.case_export import case_export, fields, suppress
from handoff.framework import codes, indicators, labels
from handoff.stats import LABELS
from handoff.store import Store
from handoff.store.tables import cases, contacts
from shared.config import Config
from tests.conftest import free_port, start_gateway, stop_gateway
from tests.handoff.conftest import Console, ensure_user, head_of_queue, user_says
from tests.services import fresh_postgres_database, postgres_reachable

VN = ZoneInfo("Asia/Ho_Chi_Minh")
PERIOD = "from=2025-02-01&to=2025-02-28"
MIN_CELL = 3  # the gateway's CASE_EXPORT_MIN_CELL here: small enough for a month of eight cases


def feb(day, hour=10, minute=0):
    return dt.datetime(2025, 2, day, hour, minute, tzinfo=VN).timestamp()


def counselling(outcomes, victim="suspected", **recorded):
    return {"contact_type": "counselling", "outcomes": outcomes, "victim": victim, **recorded}


QN = {"province": "Quảng Ninh"}
WOMAN = {"age_group": "18-25", "sex": "female"}
MAN = {"age_group": "26+", "sex": "male"}
# name -> (channel, started_at in Vietnam time, the close form). The first day's first hour and the
# last day's last hour are in the month; call12, half an hour into March, is not.
CALLS = {
    "call1": ("phone", "2025-02-03T09:00", counselling(["counselling_policy", "referral_support"],
                                                      category="labour_trafficking", **WOMAN, **QN)),
    "call2": ("phone", "2025-02-04T09:00", counselling(["counselling_psychological", "referral_rescue"], "confirmed",
                                                      category="forced_criminality", **WOMAN, **QN)),
    "walk1": ("walk_in", "2025-02-05T14:00", counselling(["counselling_services", "referral_support"],
                                                        category="sexual_exploitation", **WOMAN, **QN)),
    "call3": ("phone", "2025-02-06T09:00", counselling(["counselling_policy"], "unknown",
                                                      category="labour_trafficking", **MAN)),
    "call4": ("phone", "2025-02-07T09:00", counselling(["counselling_psychological", "information"],
                                                      category="forced_criminality", **MAN, province="Cà Mau")),
    "call5": ("phone", "2025-02-10T09:00", {"contact_type": "information", "outcomes": ["information"]}),
    "call6": ("phone", "2025-02-01T00:05", {"contact_type": "silent"}),
    "call7": ("phone", "2025-02-11T09:00", {"contact_type": "wrong_number"}),
    "call8": ("phone", "2025-02-12T09:00", {"contact_type": "hang_up_or_test"}),
    # information only: it has a category and a person, but CHI's profile is of counselling contacts
    "walk2": ("walk_in", "2025-02-13T15:00", {"contact_type": "information", "outcomes": ["information"],
                                             "category": "safe_migration", **MAN, "province": "Hà Nội"}),
    "call10": ("phone", "2025-02-28T23:50", {"contact_type": "thank_you_or_follow_up"}),
    "call11": ("phone", "2025-02-14T09:00", {"contact_type": "abusive"}),
    "call12": ("phone", "2025-03-01T00:30", counselling(["information"], category="labour_trafficking")),
}
NO_PLACE = "cuu e, e bi nhot o cty ben cam, ko cho ve, ho giu ho chieu"
# name -> (day in February, what the person writes, the close form; None: still open)
CHATS = {
    "chat1": (3, NO_PLACE, counselling(["counselling_psychological", "referral_rescue"], "confirmed",
                                       category="labour_trafficking", **WOMAN, **QN)),
    "chat2": (8, NO_PLACE, counselling(["counselling_policy"], category="labour_trafficking", **WOMAN)),
    # no province recorded: the one the person named counts
    "chat3": (9, "cuu em, em bi nhot o lao cai, ko cho ve, ho giu ho chieu",
              counselling(["information", "counselling_policy"], category="forced_marriage", age_group="16-17",
                          sex="female")),
    "chat4": (15, NO_PLACE, {"contact_type": "silent"}),
    # the recorded province wins over the one named
    "chat6": (17, "cuu em, em bi nhot o lang son, ho giu ho chieu",
              counselling(["counselling_services"], "unknown", province="Hải Phòng")),
    "chat5": (16, "cuu em, em bi nhot o nghe an, ho giu ho chieu", None),  # claimed, never closed: no type
}
PHONE = "0912345678"
# name -> (title, opened on, contacts, people (role, description, age group, sex), confirmed, rejected, status).
# A, B, C share every quasi-identifier; D, E, F, J share theirs once J's rare province is blanked;
# G's values are each common but their combination is G's alone.
CASES = {
    "A": ("Chị Hằng bị giữ ở Bavet", 3, ["chat1", "call1"], [("caller", f"mẹ chị Hằng, số {PHONE}", None, None)],
          ["restricts_movement", "withholds_documents"], ["threats"], None),
    "B": ("Chị Mai ở khu Kim Bài", 4, ["call2"], [], ["restricts_communication", "debt_bondage"], [], "referred"),
    "C": ("Em Thảo, karaoke Móng Cái", 5, ["walk1"], [], [], ["threats"], "closed"),
    # the person at risk is a man of 40; the chat was his sister's
    "D": ("Anh Tuấn trên tàu cá", 8, ["chat2"],
          [("person_at_risk", "anh Tuấn, 40 tuổi, tàu cá Thọ Quang", "26+", "male")], [], [], None),
    "E": ("Anh Khoa mất liên lạc", 12, [], [("person_at_risk", "anh Khoa, em họ của người gọi", "26+", "male")],
         ["false_promises"], [], None),
    "F": ("Anh Long, xưởng gạch", 6, ["call3"], [], [], [], None),
    "J": ("Anh Phúc ở Sihanoukville", 7, ["call4"], [], [], [], None),
    "G": ("Bà Lụa hỏi cho cháu", 10, ["call5"], [("person_at_risk", "bà Lụa, 60 tuổi", "26+", "female")], [], [], None),
}
LATER_CASE = ("Chị Nga, mở hôm nay", ["call12"])  # opened now: outside February 2025


@pytest.fixture(params=["sqlite", "postgresql"])
def month_store(request, tmp_path):
    """A store of the test's own: the chats, queued now, are moved into February 2025 in SQL, and
    the figures are the month's only if no other test writes into it."""
    if request.param == "sqlite":
        yield Store.from_url(f"sqlite:///{tmp_path / 'reports.sqlite3'}")
        return
    if not postgres_reachable():
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
    store = Store.from_url(fresh_postgres_database("hotline_reports"))
    yield store
    store.engine.dispose()


@pytest.fixture
async def line(month_store, redis):
    # Every chat comes from 127.0.0.1 within a minute: not a burst here.
    runner, url = await start_gateway(f"http://127.0.0.1:{free_port()}", redis, month_store,
                                      new_conversations_per_address=1000, case_export_min_cell=MIN_CELL)
    ensure_user(month_store, "gs.baocao", "supervisor")
    ensure_user(month_store, "tv.lan", "counsellor", capacity=10)
    supervisor, counsellor = Console(url), Console(url)
    assert (await supervisor.login("gs.baocao"))[0] == 200 and (await counsellor.login("tv.lan"))[0] == 200
    yield url, supervisor, counsellor
    await supervisor.close()
    await counsellor.close()
    await stop_gateway(runner)


async def ok(console, method, path, body=None):
    status, answer = await console.call(method, path, body)
    assert status == 200, (path, answer)
    return answer


async def seed(http, url, store, counsellor):
    """The month through the API; contact ids by name."""
    ids = {}
    for name, (channel, started, form) in CALLS.items():
        body = {"channel": channel, "started_at": started, "duration_min": 10, **form}
        if channel == "phone":
            body["line"] = "111"
        ids[name] = (await ok(counsellor, "POST", "/api/calls", body))["contact"]["id"]
    for name, (day, text, form) in CHATS.items():
        await user_says(http, url, uuid.uuid4().hex, text)
        cid = await head_of_queue(counsellor)
        await ok(counsellor, "POST", f"/api/conversations/{cid}/claim")
        ids[name] = (await ok(counsellor, "GET", f"/api/conversations/{cid}"))["contacts"][-1]["id"]
        if form is not None:
            await ok(counsellor, "POST", f"/api/conversations/{cid}/close", form)
        # Chats are queued "now": moved, with every time of the contact, to their day of February.
        shift = store.contact(ids[name])["queued_at"] - feb(day)
        with store.engine.begin() as db:
            db.execute(contacts.update().where(contacts.c.id == ids[name]).values(
                **{column: getattr(contacts.c, column) - shift
                   for column in ("queued_at", "claimed_at", "first_response_at", "closed_at")}))
    for key, (title, day, attached, people, confirmed, rejected, status) in CASES.items():
        case_id = (await ok(counsellor, "POST", "/api/cases", {"title": title}))["case"]["id"]
        for name in attached:
            await ok(counsellor, "POST", f"/api/cases/{case_id}/contacts", {"contact_id": ids[name]})
        for role, description, age_group, sex in people:
            await ok(counsellor, "POST", f"/api/cases/{case_id}/people",
                     {"role": role, "description": description, "age_group": age_group, "sex": sex})
        for indicator in confirmed:
            await ok(counsellor, "POST", f"/api/cases/{case_id}/indicators", {"indicator": indicator,
                                                                              "decision": "confirmed"})
        for indicator in rejected:
            await ok(counsellor, "POST", f"/api/cases/{case_id}/indicators", {"indicator": indicator,
                                                                              "decision": "rejected"})
        await ok(counsellor, "POST", f"/api/cases/{case_id}/notes", {"text": f"Chị Hằng gọi lại từ số {PHONE}."})
        if status:
            await ok(counsellor, "POST", f"/api/cases/{case_id}/status", {"status": status})
        # Opened "now": moved to its day of February (the export counts cases by when they were opened).
        with store.engine.begin() as db:
            db.execute(cases.update().where(cases.c.id == case_id).values(created_at=feb(day), updated_at=feb(day)))
        ids[key] = case_id
    later = (await ok(counsellor, "POST", "/api/cases", {"title": LATER_CASE[0]}))["case"]["id"]
    await ok(counsellor, "POST", f"/api/cases/{later}/contacts", {"contact_id": ids["call12"]})
    ids["later"] = later
    return ids


# --- the seeded figures, counted by hand from CALLS, CHATS and CASES ---------------------------
CONTACTS = 18  # 12 calls and walk-ins, 6 chats; call12 is in March
CATEGORY_FIGURES = {  # the hotline's categories: all, calls (phone, walk-in), chats
    "contacts_received": (18, 12, 6), "information": (4, 3, 1), "counselling_psychological": (3, 2, 1),
    "counselling_policy": (4, 2, 2), "counselling_services": (2, 1, 1), "referral_rescue": (2, 1, 1),
    "referral_support": (2, 2, 0)}
BY_TYPE = {"counselling": 9, "information": 2, "silent": 2, "hang_up_or_test": 1, "abusive": 1,
           "thank_you_or_follow_up": 1, "wrong_number": 1}
COUNSELLING, NON_COUNSELLING, UNTYPED = 9, 8, 1
BY_CHANNEL = {"phone": 10, "walk_in": 2, "web": 6}
BY_PROVINCE = {"Quảng Ninh": 4, "Cà Mau": 1, "Hà Nội": 1, "Lào Cai": 1, "Nghệ An": 1, "Hải Phòng": 1, "không rõ": 9}
VICTIMS = 7
AGE_SEX = {("18-25", "female"): 5, ("26+", "male"): 2, ("16-17", "female"): 1, ("unknown", "unknown"): 1}
CATEGORIES = {"labour_trafficking": 4, "forced_criminality": 2, "sexual_exploitation": 1, "forced_marriage": 1}
NOT_RECORDED = 1  # chat6: counselling without a category
REFERRALS = {"rescue": 2, "support": 2}


def export_row(year=2025, gender=None, age=None, majority=None, province=None, status="Active", exploitation=(),
               indicators=(), phone=0, walk_in=0, text=0):
    row = {"Datasource": "Hotline", "yearOfRegistration": year, "gender": gender, "ageBroad": age,
           "majorityStatus": majority, "province": province, "caseStatus": status}
    for name in fields()[len(row) + 1:-3]:  # the 0/1 columns
        row[name] = int(name in exploitation or name in indicators)
    return {**row, "contactsPhone": phone, "contactsWalkIn": walk_in, "contactsText": text}


WOMAN_QN = dict(gender="Female", age="18--25", majority="Adult", province="Quảng Ninh")
MAN_26 = dict(gender="Male", age="26+", majority="Adult")
EXPORTED = [  # one per case opened in February, with MIN_CELL = 3
    export_row(**WOMAN_QN, exploitation={"isForcedLabour"}, phone=1, text=1,  # A
               indicators={"meansOfControlRestrictsMovement", "meansOfControlWithholdsDocuments"}),
    export_row(**WOMAN_QN, status="ClosedReferred", exploitation={"isForcedLabour", "typeOfLabourIllicitActivities"},
               indicators={"meansOfControlRestrictsMovement", "meansOfControlDebtBondage"}, phone=1),  # B
    export_row(**WOMAN_QN, status="Closed", exploitation={"isSexualExploit"}, walk_in=1),  # C: threats rejected
    export_row(**MAN_26, exploitation={"isForcedLabour"}, text=1),  # D: the person at risk, not the chat's
    export_row(**MAN_26, indicators={"meansOfControlFalsePromises"}),  # E: no contact
    export_row(**MAN_26, exploitation={"isForcedLabour"}, phone=1),  # F
    # J: its province, Cà Mau, is the only one: blanked alone
    export_row(**MAN_26, exploitation={"isForcedLabour", "typeOfLabourIllicitActivities"}, phone=1),
    export_row(year=None, phone=1),  # G: Female, 26+, Adult, alone: every quasi-identifier blanked
]


def csv_rows(raw: bytes):
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads UTF-8
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


async def download(console, url, path):
    async with console.http.get(url + path) as r:
        assert r.status == 200 and r.headers["Content-Type"].startswith("text/csv")
        assert "attachment" in r.headers["Content-Disposition"]
        return await r.read()


def check_statistics(figures, sheet):
    for key, (every, calls, chats) in CATEGORY_FIGURES.items():
        assert figures[key] == every, key
        assert figures["calls_and_chats"]["calls"][key] == calls and figures["calls_and_chats"]["chats"][key] == chats
    assert figures["by_contact_type"] == BY_TYPE
    assert (figures["counselling_contacts"], figures["non_counselling_contacts"], figures["untyped_contacts"]) == (
        COUNSELLING, NON_COUNSELLING, UNTYPED)
    assert figures["by_channel"] == BY_CHANNEL and figures["by_province"] == BY_PROVINCE
    assert figures["victims_supported"] == VICTIMS and figures["unanswered_critical"] == 0
    rows = dict(sheet[1:])
    assert rows["Từ ngày"] == "01/02/2025" and rows["Đến ngày"] == "28/02/2025"
    assert rows["Số cuộc tiếp nhận"] == str(CONTACTS) and rows["Chuyển tuyến hỗ trợ"] == "2"
    assert rows["Số cuộc tư vấn"] == str(COUNSELLING) and rows["Số cuộc không phải tư vấn"] == str(NON_COUNSELLING)
    assert rows["Số cuộc chưa kết thúc, chưa phân loại"] == str(UNTYPED)
    names = labels("contact_types")
    assert {code: int(rows[f"Loại liên hệ: {names[code]}"]) for code in BY_TYPE} == BY_TYPE
    for key, (_every, calls, chats) in CATEGORY_FIGURES.items():
        label = LABELS[key]
        assert rows[f"Cuộc gọi: {label}"] == str(calls) and rows[f"Tin nhắn, trò chuyện: {label}"] == str(chats)
    assert rows["Số cuộc qua kênh Điện thoại"] == "10" and rows["Số cuộc qua kênh Gặp trực tiếp"] == "2"
    assert rows["Số cuộc từ Quảng Ninh"] == "4" and rows["Số cuộc từ Hải Phòng"] == "1"
    assert rows["Số cuộc không rõ tỉnh, thành"] == "9"


def check_chi(report, sheet):
    framework = codes("methods")
    methods = {}
    for channel, count in BY_CHANNEL.items():
        methods[framework[channel]["chi"]] = methods.get(framework[channel]["chi"], 0) + count
    assert {name: n for name, n in report["methods"].items() if n} == methods
    assert set(report["methods"]) == {entry["chi"] for entry in framework.values()}  # zeros included
    assert report["contacts"] == CONTACTS and sum(report["methods"].values()) == CONTACTS
    assert (report["counselling"], report["non_counselling"], report["untyped"]) == (
        COUNSELLING, NON_COUNSELLING, UNTYPED)
    assert report["non_counselling_by_type"] == {k: v for k, v in BY_TYPE.items() if k != "counselling"}
    assert set(report["age_sex"]) == set(codes("age_groups"))
    assert all(set(by_sex) == set(codes("sexes")) for by_sex in report["age_sex"].values())
    assert {(age, sex): n for age, by_sex in report["age_sex"].items() for sex, n in by_sex.items() if n} == AGE_SEX
    ours = codes("categories")
    groups = {(g["chi"], g.get("chi_sub")): g for g in report["categories"]}
    for code, count in CATEGORIES.items():
        group = groups[(ours[code]["chi"], ours[code]["chi_sub"] or None)]
        assert group["extension"][code] == count, code
        assert group["count"] == sum(group["extension"].values())
    assert sum(g["count"] for g in report["categories"]) == COUNSELLING
    assert report["categories"][-1]["count"] == NOT_RECORDED and report["categories"][-1]["extension"] == {}
    assert report["actions"] == REFERRALS

    assert sheet[0] == ["Phần", "Tên theo CHI", "Nội dung", "Số cuộc"] and all(len(row) == 4 for row in sheet)
    assert "Từ ngày 01/02/2025 đến ngày 28/02/2025" in [row[2] for row in sheet]
    cells = {(row[0], row[2]): row[3] for row in sheet[1:]}
    assert cells[("Tổng số", "Số cuộc tiếp nhận")] == str(CONTACTS)
    by_chi = {(row[0], row[1]): row[3] for row in sheet[1:]}
    for name, count in methods.items():
        assert by_chi[("Hình thức liên hệ", name)] == str(count)
    assert cells[("Hình thức liên hệ", "Điện thoại")] == "10"
    assert cells[("Loại liên hệ", "Cuộc tư vấn")] == str(COUNSELLING)
    assert cells[("Loại liên hệ", "Cuộc không phải tư vấn")] == str(NON_COUNSELLING)
    assert cells[("Loại liên hệ", "Cuộc chưa kết thúc, chưa phân loại")] == str(UNTYPED)
    names, types = labels("contact_types"), codes("contact_types")
    for code, count in report["non_counselling_by_type"].items():
        assert by_chi[("Cuộc không phải tư vấn, theo loại", types[code]["chi"])] == str(BY_TYPE[code])
        assert cells[("Cuộc không phải tư vấn, theo loại", names[code])] == str(count)
    ages, sexes = labels("age_groups"), labels("sexes")
    for (age, sex), count in AGE_SEX.items():
        assert cells[("Tuổi và giới tính (cuộc tư vấn)", f"{ages[age]}, {sexes[sex]}")] == str(count)
    assert cells[("Tuổi và giới tính (cuộc tư vấn)", f"{ages['0-6']}, {sexes['male']}")] == "0"
    category_names = labels("categories")
    for code, count in CATEGORIES.items():
        assert cells[("Nhóm vấn đề mua bán người (chi tiết)", category_names[code])] == str(count)
    assert cells[("Nhóm vấn đề (cuộc tư vấn)", "Chưa ghi nhóm vấn đề")] == str(NOT_RECORDED)
    assert cells[("Hành động đã thực hiện", "Chuyển tuyến giải cứu")] == str(REFERRALS["rescue"])
    assert cells[("Hành động đã thực hiện", "Chuyển tuyến hỗ trợ")] == str(REFERRALS["support"])


def without_ids(rows):
    return sorted((json.dumps({k: v for k, v in row.items() if k != "exportId"}, sort_keys=True) for row in rows))


def check_case_export(answer, sheet, ids):
    assert answer["min_cell"] == MIN_CELL and answer["fields"] == fields() and sheet[0] == fields()
    # one column per htcds field of data/indicators.yml: the two indicators sharing one write it once
    assert {i.htcds for i in indicators()} <= set(fields()) and fields().count("meansOfControlRestrictsMovement") == 1
    assert without_ids(answer["cases"]) == without_ids(EXPORTED)
    # the CSV is the same rows, blanks for nulls
    as_read = [dict(zip(sheet[0], row)) for row in sheet[1:]]
    assert without_ids(as_read) == without_ids([{k: "" if v is None else str(v) for k, v in row.items()}
                                                for row in answer["cases"]])
    exported = [row["exportId"] for row in answer["cases"]] + [row["exportId"] for row in as_read]
    assert all(re.fullmatch(r"[0-9a-f]{16}", export_id) for export_id in exported)
    assert len(set(exported)) == 2 * len(EXPORTED)  # new at each export: rows of two exports do not join
    assert not {str(case_id) for case_id in ids.values()} & set(exported)


def check_nothing_personal(text):
    """No free text, name, number, counsellor or exact date in an export."""
    for title, _day, _contacts, people, *_ in CASES.values():
        assert title not in text
        for _role, description, *_ in people:
            assert description not in text
    for word in ("Hằng", "Tuấn", "Bavet", "Lụa", "tàu cá", PHONE, "tv.lan", "logged-", "cuu e", "gọi lại"):
        assert word not in text, word
    assert not re.search(r"\d{4}-\d\d-\d\d|\d\d/\d\d/\d{4}|\b1[78]\d{8}\b", text)  # dates, epoch seconds


async def test_a_seeded_month_gives_the_same_figures_in_every_report(line, month_store, http):
    url, supervisor, counsellor = line
    ids = await seed(http, url, month_store, counsellor)
    audit_before = len(month_store.audit.all())

    figures = await ok(supervisor, "GET", f"/api/stats?{PERIOD}")
    check_statistics(figures, csv_rows(await download(supervisor, url, f"/api/stats.csv?{PERIOD}")))

    report = await ok(supervisor, "GET", f"/api/reports/chi?{PERIOD}")
    check_chi(report, csv_rows(await download(supervisor, url, f"/api/reports/chi.csv?{PERIOD}")))

    answer = await ok(supervisor, "GET", f"/api/reports/cases.json?{PERIOD}")
    raw = await download(supervisor, url, f"/api/reports/cases.csv?{PERIOD}")
    check_case_export(answer, csv_rows(raw), ids)
    check_nothing_personal(json.dumps(answer, ensure_ascii=False))
    check_nothing_personal(raw.decode("utf-8-sig"))

    # the same figures across reports, said once more where they meet
    assert figures["contacts_received"] == report["contacts"] == CONTACTS
    assert figures["counselling_contacts"] == report["counselling"] == COUNSELLING
    assert (figures["referral_rescue"], figures["referral_support"]) == (report["actions"]["rescue"],
                                                                         report["actions"]["support"])
    assert report["methods"][codes("methods")["phone"]["chi"]] == figures["by_channel"]["phone"]
    # the case export's contacts are the cases' own: 5 calls, 1 walk-in, 2 chats of the month
    assert [sum(row[name] for row in answer["cases"]) for name in ("contactsPhone", "contactsWalkIn",
                                                                   "contactsText")] == [5, 1, 2]

    # each download is one audit entry, the JSON ones too; reading the statistics is none
    entries = month_store.audit.all()[audit_before:]
    assert [(e["actor"], e["action"], e["object"]) for e in entries] == [
        ("gs.baocao", action, "01/02/2025–28/02/2025")
        for action in ("export_stats", "export_chi", "export_chi", "export_cases", "export_cases")]
    for path in ("/api/reports/chi", "/api/reports/chi.csv", "/api/reports/cases.json", "/api/reports/cases.csv"):
        status, body = await counsellor.call("GET", f"{path}?{PERIOD}")
        assert (status, body["error"]) == (403, "forbidden"), path
        status, body = await supervisor.call("GET", f"{path}?from=tháng-hai&to=2025-02-28")
        assert (status, body["error"]) == (400, "invalid_period"), path
    assert len(month_store.audit.all()) == audit_before + 5  # refused and malformed requests export nothing

    # at the default threshold, eight cases are too few to show any quasi-identifier
    default = await month_store.run(case_export, month_store, feb(1, 0), feb(28, 23) + 3600,
                                    Config().case_export_min_cell)
    assert len(default) == len(EXPORTED)
    assert all(row[name] is None for row in default for name in ("yearOfRegistration", "gender", "ageBroad",
                                                                  "majorityStatus", "province"))


def test_suppression_blanks_rare_values_then_rare_combinations():
    def row(gender, age, province):
        return {"gender": gender, "ageBroad": age, "province": province, "isForcedLabour": 1}

    rows = ([row("Female", "18--25", "Quảng Ninh")] * 3 + [row("Male", "26+", None)] * 2
            + [row("Male", "26+", "Cà Mau"), row("Female", "26+", None)])
    out = suppress(rows, 3, ("gender", "ageBroad", "province"))
    assert out[:3] == rows[:3]  # a combination three rows share: kept
    assert out[5] == row("Male", "26+", None)  # a province only one row has: that cell alone
    assert out[6] == row(None, None, None)  # each value common, the combination one row's: all of them
    assert all(r["isForcedLabour"] == 1 for r in out)  # the other fields are never blanked
    assert rows[5]["province"] == "Cà Mau"  # the rows given are left as they were
    assert suppress(rows, 1, ("gender", "ageBroad", "province")) == rows  # k = 1: nothing to hide


def test_the_threshold_is_configured():
    assert Config().case_export_min_cell == 11  # the Counter Trafficking Data Collaborative's k
    assert Config.from_env({"CASE_EXPORT_MIN_CELL": "25"}).case_export_min_cell == 25
