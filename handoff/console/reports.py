"""The line's figures for supervisors and admins: statistics (JSON and CSV, the export audited)
and the directory's facts to check again."""
from __future__ import annotations

from aiohttp import web

from directory.review import rows
from handoff.auth import requires
from handoff.console.http import period
from handoff.local_time import local_date
from handoff.stats import statistics, to_csv


@requires("stats.read")
async def stats(request: web.Request) -> web.Response:
    store = request.app["handoff"].store
    return web.json_response(await store.run(statistics, store, *period(request)))


@requires("stats.export")
async def stats_csv(request: web.Request) -> web.Response:
    store = request.app["handoff"].store
    start, end, channel = period(request)
    figures = await store.run(statistics, store, start, end, channel)
    # The object in Vietnam days as the admin page shows it (the query is YYYY-MM-DD).
    await store.run(store.audit.record, request["session"].username, "export_stats",
                    f"{local_date(start)}–{local_date(end - 1)}")
    name = f"thong-ke-{request.query['from']}-{request.query['to']}.csv"
    # UTF-8 with a BOM ("utf-8-sig"): without it Excel reads the file as ANSI and mangles "Số cuộc".
    return web.Response(body=to_csv(figures).encode("utf-8-sig"), content_type="text/csv", charset="utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})


@requires("facts.read")
async def facts(request: web.Request) -> web.Response:
    """The directory's entries with sources and review dates, as `python -m bot facts` lists them."""
    listed = rows(request.app["directory"])
    return web.json_response({"profile": request.app["directory"].profile.id, "entries": listed,
                              "past_review": sum(r["past_review"] for r in listed)})
