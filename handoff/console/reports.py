"""The line's figures for supervisors and admins: statistics (JSON and CSV, the export audited),
the report in Child Helpline International's data framework and the anonymised case export (each
download audited, the JSON ones too: they are exports), and the directory's facts to check again."""
from __future__ import annotations

from typing import Any, Dict, List, Tuple

from aiohttp import web

from directory.review import rows
from handoff import case_export as cases_report
from handoff import chi_report as chi
from handoff.auth import requires
from handoff.console.http import period
from handoff.local_time import local_date
from handoff.stats import statistics, to_csv
from handoff.store import Store


@requires("stats.read")
async def stats(request: web.Request) -> web.Response:
    store = request.app["handoff"].store
    return web.json_response(await store.run(statistics, store, *period(request)))


def csv_file(text: str, name: str) -> web.Response:
    # UTF-8 with a BOM ("utf-8-sig"): without it Excel reads the file as ANSI and mangles "Số cuộc".
    return web.Response(body=text.encode("utf-8-sig"), content_type="text/csv", charset="utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})


def file_name(request: web.Request, stem: str) -> str:
    return f"{stem}-{request.query['from']}-{request.query['to']}.csv"  # both checked by period()


async def audit_export(request: web.Request, store: Store, action: str, start: float, end: float) -> None:
    # The object in Vietnam days as the admin page shows it (the query is YYYY-MM-DD).
    await store.run(store.audit.record, request["session"].username, action,
                    f"{local_date(start)}–{local_date(end - 1)}")


@requires("stats.export")
async def stats_csv(request: web.Request) -> web.Response:
    store = request.app["handoff"].store
    start, end, channel = period(request)
    figures = await store.run(statistics, store, start, end, channel)
    await audit_export(request, store, "export_stats", start, end)
    return csv_file(to_csv(figures), file_name(request, "thong-ke"))


async def _chi(request: web.Request) -> Dict[str, Any]:
    store = request.app["handoff"].store
    start, end, _channel = period(request)  # the framework counts every channel
    report = await store.run(chi.chi_report, store, start, end)
    await audit_export(request, store, "export_chi", start, end)
    return report


@requires("stats.export")
async def chi_json(request: web.Request) -> web.Response:
    return web.json_response(await _chi(request))


@requires("stats.export")
async def chi_csv(request: web.Request) -> web.Response:
    return csv_file(chi.to_csv(await _chi(request)), file_name(request, "bao-cao-chi"))


async def _cases(request: web.Request) -> Tuple[List[Dict[str, Any]], int]:
    store = request.app["handoff"].store
    start, end, _channel = period(request)
    min_cell = request.app["config"].case_export_min_cell
    found = await store.run(cases_report.case_export, store, start, end, min_cell)
    await audit_export(request, store, "export_cases", start, end)
    return found, min_cell


@requires("stats.export")
async def cases_json(request: web.Request) -> web.Response:
    found, min_cell = await _cases(request)
    return web.json_response({"fields": cases_report.fields(), "min_cell": min_cell, "cases": found})


@requires("stats.export")
async def cases_csv(request: web.Request) -> web.Response:
    found, _ = await _cases(request)
    return csv_file(cases_report.to_csv(found), file_name(request, "ho-so-an-danh"))


@requires("facts.read")
async def facts(request: web.Request) -> web.Response:
    """The directory's entries with sources and review dates, as `python -m bot facts` lists them."""
    listed = rows(request.app["directory"])
    return web.json_response({"profile": request.app["directory"].profile.id, "entries": listed,
                              "past_review": sum(r["past_review"] for r in listed)})


def routes(router: web.UrlDispatcher) -> None:
    """The reports of issue 17 (docs/cases.md, "Reports"); /api/stats and /api/stats.csv are
    added by handoff/console/__init__.py."""
    router.add_get("/api/reports/chi", chi_json)
    router.add_get("/api/reports/chi.csv", chi_csv)
    router.add_get("/api/reports/cases.json", cases_json)
    router.add_get("/api/reports/cases.csv", cases_csv)
