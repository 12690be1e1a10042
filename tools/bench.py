"""`make bench`: speed, load and memory of the whole line on this machine, in one run.

Writes reports/bench.json and reports/bench.md. Nothing here asserts a time: the goals
(issue 6) are compared in the report, not in tests. Messages are the held-out set
(data/holdout/), never the training data; each simulated person has their own sender id.
"""
from __future__ import annotations

import asyncio
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import aiohttp
import yaml
from redis.asyncio import Redis

from tools.launcher import free_port, fresh_postgres_database, running_backend, wait_for_port
from tools.bench_spike import pct, spike
from tools.model import ROOT, ensure_model, rasa_env, rasa_python

REPORTS = ROOT / "reports"
BENCH_REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/11")
BENCH_TRACKER_REDIS = os.environ.get("BENCH_TRACKER_REDIS_URL", "redis://127.0.0.1:6379/10")
GOALS = {"e2e_ms_p95": ("<", 250), "handoff_ms_p95": ("<", 300), "throughput_msgs_per_s": (">=", 40),
         "gateway_overhead_ratio": ("<", 1.3),
         # issue 19: the spike
         "overload_critical_safety_ms_p95": ("<", 1000), "overload_critical_handoff_ms_p95": ("<", 500),
         "overload_answer_ms_p95": ("<", 5000), "overload_5xx": ("<", 1), "overload_lost": ("<", 1),
         "overload_critical_lost": ("<", 1), "overload_critical_safety_missing": ("<", 1)}


def holdout() -> Tuple[List[str], List[str]]:
    """(urgent messages, other messages) of the held-out set, annotations removed."""
    data = yaml.safe_load((ROOT / "data" / "holdout" / "nlu_holdout.yml").read_text(encoding="utf-8"))["nlu"]
    urgent, other = [], []
    for block in data:
        lines = [re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", l.strip()[2:]) for l in block["examples"].splitlines()
                 if l.strip().startswith("- ")]
        (urgent if block["intent"] == "urgent_rescue" else other).extend(lines)
    return urgent, other


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


# The gateway's own answer when Rasa did not reply in time: an error for the benchmark.
FALLBACK = "trợ lý tự động đang tạm gián đoạn"


async def timed_post(http: aiohttp.ClientSession, url: str, body: dict,
                     headers: Optional[Dict[str, str]] = None) -> Tuple[float, int]:
    """Milliseconds and status; a gateway reply that is its Rasa-down fallback counts as 503."""
    start = time.perf_counter()
    async with http.post(url, json=body, headers=headers) as response:
        raw = await response.read()
        elapsed = (time.perf_counter() - start) * 1000
        status = response.status
    if status == 200:
        body = json.loads(raw)
        if isinstance(body, dict) and any(FALLBACK in m.get("text", "") for m in body.get("messages", [])):
            status = 503
    return elapsed, status


def nlu_parse_in_rasa_runtime(model: Path, texts: List[str]) -> Dict[str, float]:
    """``nlu_parse`` run by Rasa's runtime (Rasa in process needs it): `python -m tools.bench nlu`."""
    found = subprocess.run([rasa_python(), "-m", "tools.bench", "nlu", str(model)], input=json.dumps(texts),
                           capture_output=True, text=True, cwd=ROOT, env=rasa_env(), timeout=900)
    if found.returncode != 0:
        raise RuntimeError(f"NLU parse benchmark failed: {found.stderr[-1000:]}")
    return json.loads(found.stdout.strip().splitlines()[-1])


async def nlu_parse(model: Path, texts: List[str]) -> Dict[str, float]:
    from tools.triage import LocalNLU

    nlu = LocalNLU(model)
    for text in texts[:5]:
        await nlu.parse(text)  # warm up
    times = []
    for text in texts * 3:
        start = time.perf_counter()
        await nlu.parse(text)
        times.append((time.perf_counter() - start) * 1000)
    return {"nlu_parse_ms_p50": pct(times, 50), "nlu_parse_ms_p95": pct(times, 95)}


async def end_to_end(http, gateway: str, rasa: str, rasa_token: str, texts: List[str],
                     per_person: int = 4) -> Dict[str, float]:
    """One message at a time; each simulated person writes ``per_person`` messages, as people do
    (the first opens a conversation). Rasa's REST channel gets the same messages, same people."""
    ours, theirs = [], []
    for i, text in enumerate(texts * 2):
        if i % per_person == 0:
            person = uuid.uuid4().hex
        ms, status = await timed_post(http, f"{gateway}/webhooks/web", {"sender": person, "text": text})
        assert status == 200, status
        ours.append(ms)
        ms, status = await timed_post(http, f"{rasa}/webhooks/rest/webhook",
                                      {"sender": "bench-" + person, "message": text},
                                      {"Authorization": f"Bearer {rasa_token}"})
        theirs.append(ms)
    return {"e2e_ms_p50": pct(ours, 50), "e2e_ms_p95": pct(ours, 95), "rasa_rest_ms_p50": pct(theirs, 50),
            "rasa_rest_ms_p95": pct(theirs, 95),
            "gateway_overhead_ratio": round(statistics.median(ours) / statistics.median(theirs), 3)}


async def throughput(http, gateway: str, texts: List[str], users: int = 50, seconds: float = 30,
                     per_person: int = 4) -> Dict[str, float]:
    """``users`` people writing at once, each sending the next message as soon as the last is
    answered; after ``per_person`` messages a person leaves and a new one takes their place
    (a spike after a news report is many people writing a few messages each)."""
    done, errors = 0, 0
    deadline = time.perf_counter() + seconds

    async def person(i: int) -> None:
        nonlocal done, errors
        n = 0
        while time.perf_counter() < deadline:
            if n % per_person == 0:
                sender = f"load-{i}-{uuid.uuid4().hex[:8]}"
            _ms, status = await timed_post(http, f"{gateway}/webhooks/web",
                                           {"sender": sender, "text": texts[(i + n) % len(texts)]})
            n += 1
            if status == 200:
                done += 1
            else:
                errors += 1

    start = time.perf_counter()
    await asyncio.gather(*(person(i) for i in range(users)))
    return {"throughput_msgs_per_s": round(done / (time.perf_counter() - start), 1), "throughput_errors": errors,
            "throughput_users": users, "throughput_messages": done}


async def handoff_latency(http, gateway: str, redis: Redis, store, urgent: List[str]) -> Dict[str, float]:
    """A critical message in, until a console WebSocket hears of it."""
    from handoff.auth import hash_password

    if store.accounts.get("bench.gs") is None:
        store.accounts.add("bench.gs", "Bench", "supervisor", hash_password("bench-password-1"), 100)
    jar = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
    times = []
    try:
        async with jar.post(f"{gateway}/api/login", json={"username": "bench.gs", "password": "bench-password-1"}):
            pass
        async with jar.ws_connect(gateway.replace("http", "ws") + "/api/ws") as ws:
            await ws.receive(timeout=5)  # hello
            for text in urgent * 3:
                start = time.perf_counter()
                post = asyncio.create_task(timed_post(http, f"{gateway}/webhooks/web",
                                                      {"sender": uuid.uuid4().hex, "text": text}))
                while True:
                    event = json.loads((await ws.receive(timeout=10)).data)
                    if event.get("type") == "queue" and event.get("critical"):
                        times.append((time.perf_counter() - start) * 1000)
                        break
                await post
    finally:
        await jar.close()
    return {"handoff_ms_p50": pct(times, 50), "handoff_ms_p95": pct(times, 95)}


def cpu_ms(pids: List[int]) -> float:
    """CPU time (user + system) the processes have used, in milliseconds (/proc/<pid>/stat)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total * 1000 / tick


async def queue_ops(redis: Redis, cycles: int = 2000, concurrency: int = 50) -> Dict[str, float]:
    """Our enqueue + claim cycle (two Lua scripts) against redis-benchmark on the same server."""
    from handoff import lua
    from handoff.keys import Keys

    keys = Keys(prefix="bench:")
    escalate, claim = redis.register_script(lua.source("escalate")), redis.register_script(lua.source("claim"))
    counter = iter(range(cycles))

    async def worker(w: int) -> None:
        for i in counter:
            cid = f"b{i}"
            now = time.time()
            await escalate(keys=[keys.conversation(cid), keys.queue],
                           args=[cid, "high", repr(now), str(i), "web", f"s{i}", "urgency"])
            await claim(keys=[keys.conversation(cid), keys.queue, keys.assigned, keys.agent(f"agent{w}")],
                        args=[cid, f"agent{w}", repr(now), repr(now + 60), 10 ** 6])

    start = time.perf_counter()
    await asyncio.gather(*(worker(w) for w in range(concurrency)))
    ours = 2 * cycles / (time.perf_counter() - start)
    left = [k async for k in redis.scan_iter(keys.prefix + "*")]  # everything under the bench's own prefix
    if left:
        await redis.delete(*left)
    out = subprocess.run(["redis-benchmark", "-h", "127.0.0.1", "-p", "6379", "-t", "set,get", "-n", "50000",
                          "-c", str(concurrency), "-q"], capture_output=True, text=True, timeout=120).stdout
    rates = [float(m) for m in re.findall(r"([\d.]+) requests per second", out)]
    return {"queue_ops_per_s": round(ours), "redis_baseline_ops_per_s": round(statistics.mean(rates)) if rates else None}


def machine() -> Dict[str, str]:
    cpu = next((l.split(":", 1)[1].strip() for l in Path("/proc/cpuinfo").read_text().splitlines()
                if l.startswith("model name")), platform.processor())
    mem = next((l.split()[1] for l in Path("/proc/meminfo").read_text().splitlines() if l.startswith("MemTotal")), "0")
    return {"cpu": cpu, "cores": str(os.cpu_count()), "memory_gb": f"{int(mem) / 1024 / 1024:.0f}",
            "python": platform.python_version(), "os": platform.platform()}


# The set-up `make bench` measures: what docs/deploy.md recommends for one 2-core machine.
RASA_SERVERS = 2


def start_gateway_process(port: int, backend, redis_url: str, database: str, log: Path,
                          admission: bool = False) -> subprocess.Popen:
    """The gateway as production runs it (`python -m bot serve`), in its own process. Without
    ``admission``, the bot's capacity as measured before admission control (issue 19): every
    message answered by Rasa in its request, none told "in a moment"."""
    env = {**rasa_env(), "GATEWAY_PORT": str(port), "RASA_URL": backend.gateway_rasa_url,
           "RASA_TOKEN": backend.token, "REDIS_URL": redis_url, "DATABASE_URL": database,
           "RATE_LIMIT_PER_MIN": str(10 ** 6),  # the load comes from few addresses: no flood control
           # a spike comes from everywhere: no address bound on new conversations either
           "NEW_CONVERSATIONS_PER_ADDRESS": str(10 ** 6), "NEW_CONVERSATIONS_TOTAL": str(10 ** 6)}
    if not admission:
        env.update({"RASA_MAX_IN_FLIGHT": "0", "REPLY_WAIT_S": "60", "MAX_ACTIVE_TURNS": "0"})
    process = subprocess.Popen([sys.executable, "-m", "bot", "serve"], cwd=ROOT, env=env,
                               stdout=open(log, "ab"), stderr=subprocess.STDOUT)
    wait_for_port(port, process, 60, "gateway")
    return process


async def measure_line(model: Path, workdir: Path, tracker_url: str, full: bool,
                       urgent: List[str], other: List[str]) -> Dict[str, object]:
    """Rasa servers, the action server and the gateway on loopback; all figures, or only
    throughput (``full`` False) for another tracker store."""
    database = f"sqlite:///{workdir}/bench-{uuid.uuid4().hex[:6]}.sqlite3"
    redis = Redis.from_url(BENCH_REDIS)
    await redis.flushdb()
    from handoff.store import Store

    store = Store.from_url(database)
    results: Dict[str, object] = {}
    env = {"REDIS_URL": BENCH_REDIS, "DATABASE_URL": database}
    with running_backend(model, env=env, rasa_servers=RASA_SERVERS, tracker_url=tracker_url,
                         log_dir=workdir) as backend:
        port = free_port()
        gateway_process = start_gateway_process(port, backend, BENCH_REDIS, database, workdir / "gateway.log")
        gateway = f"http://127.0.0.1:{port}"
        try:
            async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=200)) as http:
                if full:
                    results.update(await end_to_end(http, gateway, backend.rasa_url, backend.token, other))
                pids = [gateway_process.pid, backend.actions.pid, *(p.pid for p in backend.rasas)]
                before = cpu_ms(pids)
                found = await throughput(http, gateway, other)
                results.update(found)
                if full:  # what a message costs, all processes together
                    results["cpu_ms_per_message"] = round((cpu_ms(pids) - before) / max(1, found["throughput_messages"]), 1)
                    results.update(await handoff_latency(http, gateway, redis, store, urgent))
            if full:
                results.update(await queue_ops(redis))
                # The spike, through a gateway with admission control as shipped (issue 19).
                spike_port = free_port()
                spiked = start_gateway_process(spike_port, backend, BENCH_REDIS, database,
                                               workdir / "gateway-spike.log", admission=True)
                try:
                    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=400)) as http:
                        results.update(await spike(http, f"http://127.0.0.1:{spike_port}", store, urgent, other))
                finally:
                    spiked.terminate()
                    spiked.wait(30)
                results["rss_mb"] = {"gateway": rss_mb(gateway_process.pid),
                                     **{f"rasa_server_{i + 1}": rss_mb(p.pid) for i, p in enumerate(backend.rasas)},
                                     "action_server": rss_mb(backend.actions.pid)}
        finally:
            gateway_process.terminate()
            gateway_process.wait(30)
    await redis.flushdb()
    await redis.close()
    store.engine.dispose()
    return results


async def main() -> Dict[str, object]:
    urgent, other = holdout()
    model = ensure_model()
    results: Dict[str, object] = {"setup": f"{RASA_SERVERS} Rasa servers (one TensorFlow thread each), trackers in "
                                           "memory, each conversation on one server; 1 action server; 1 gateway"}
    results.update(nlu_parse_in_rasa_runtime(model, other))
    with tempfile.TemporaryDirectory(prefix="bench-") as workdir:
        results.update(await measure_line(model, Path(workdir), "", True, urgent, other))
        # Shared tracker stores (failover, restarts) cost Rasa CPU: measured, not assumed.
        for name, url in (("redis", BENCH_TRACKER_REDIS), ("postgresql", postgres_tracker())):
            if url:
                found = await measure_line(model, Path(workdir), url, False, urgent, other)
                results[f"throughput_msgs_per_s_tracker_{name}"] = found["throughput_msgs_per_s"]
                results[f"throughput_errors_tracker_{name}"] = found["throughput_errors"]
    trackers = Redis.from_url(BENCH_TRACKER_REDIS)
    await trackers.flushdb()
    await trackers.close()
    results["machine"] = machine()
    return results


def postgres_tracker() -> str:
    """A fresh PostgreSQL database for Rasa's trackers, when PostgreSQL is reachable."""
    server = os.environ.get("BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432")
    try:
        return fresh_postgres_database(server, "hotline_bench_tracker")
    except Exception:  # no PostgreSQL here: that figure is left out
        return ""


def report(results: Dict[str, object]) -> str:
    m = results["machine"]
    lines = ["# Benchmark", "", f"One run of `make bench` on {m['cores']} cores ({m['cpu']}), {m['memory_gb']} GB, "
             f"Python {m['python']}; Redis and the servers on loopback.", "", f"Set-up: {results['setup']}.", "",
             "| figure | value | goal |", "|---|---|---|"]
    for key, value in results.items():
        if key in ("machine", "rss_mb", "setup"):
            continue
        goal = GOALS.get(key)
        verdict = ""
        if goal and isinstance(value, (int, float)):
            ok = value < goal[1] if goal[0] == "<" else value >= goal[1]
            verdict = f"{goal[0]} {goal[1]}: {'met' if ok else 'NOT met'}"
        lines.append(f"| `{key}` | {value} | {verdict} |")
    for name, mb in results["rss_mb"].items():
        lines.append(f"| `rss_mb.{name}` | {mb} | |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    if sys.argv[1:2] == ["nlu"]:  # in Rasa's runtime: texts on stdin, figures as one JSON line
        print(json.dumps(asyncio.run(nlu_parse(Path(sys.argv[2]), json.loads(sys.stdin.read())))))
        sys.exit(0)
    figures = asyncio.run(main())
    REPORTS.mkdir(exist_ok=True)
    (REPORTS / "bench.json").write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n")
    (REPORTS / "bench.md").write_text(report(figures))
    print(report(figures))
