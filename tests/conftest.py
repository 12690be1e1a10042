"""Shared fixtures: one trained model and one real Rasa + action server per session,
the test Redis and store, and gateways on real loopback ports.

Two runtimes run the tests (Makefile, `make test`): modules marked ``rasa_runtime`` need Rasa in
process and run in Rasa's runtime only; tests of code both runtimes import (tests/nlu,
tests/directory, tests/shared) and of the rooms' layering (tests/test_rooms.py) run in both; every
other test runs in the services' runtime. Each runtime skips the others' modules
before importing them (``pytest_ignore_collect``)."""
from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import aiohttp  # noqa: E402
from aiohttp import web  # noqa: E402

from tools.launcher import free_port, running_backend  # noqa: E402
from tools.model import ROOT, ensure_model  # noqa: E402
from shared.config import Config  # noqa: E402

# The hotline's shared material sits beside the checkout (../shared); SHARED_DIR overrides.
SHARED = next(
    (p for p in (Path(os.environ.get("SHARED_DIR", ROOT.parent / "shared")), Path("/work/shared"))
     if (p / "eval" / "triage_sample.jsonl").exists()),
    ROOT.parent / "shared",
)
TRIAGE_SAMPLE = SHARED / "eval" / "triage_sample.jsonl"
SEEDS = SHARED / "seeds"
# Tests of the code both runtimes import (the detector, folding, the directory, shared/), and
# the layering check, which reads sources only.
SHARED_TESTS = tuple(Path(__file__).parent / name
                     for name in ("nlu", "directory", "shared", "test_rooms.py"))
RASA_MARK = "pytestmark = pytest.mark.rasa_runtime"
# A module in a shared folder that needs the gateway says so.
SERVICES_MARK = "pytestmark = pytest.mark.services_runtime"
THIS_RUNTIME = "rasa" if importlib.util.find_spec("rasa") else "services"


def runtime_of(path: Path) -> str:
    """Where a test module runs: "rasa" (it says ``pytestmark = pytest.mark.rasa_runtime``),
    "services" (it says ``pytestmark = pytest.mark.services_runtime``, or is not a test of shared
    code), or "both" (the other tests of shared code)."""
    source = path.read_text(encoding="utf-8")
    if RASA_MARK in source:
        return "rasa"
    if SERVICES_MARK in source:
        return "services"
    return "both" if any(path.is_relative_to(folder) for folder in SHARED_TESTS) else "services"


def runs_here(path: Path) -> bool:
    return runtime_of(path) in (THIS_RUNTIME, "both")


def pytest_ignore_collect(collection_path: Path, config):
    # Decided before anything is imported, a folder's conftest.py included: each runtime lacks
    # the other's libraries.
    if collection_path.is_dir() and collection_path != Path(__file__).parent:
        return not any(runs_here(module) for module in collection_path.rglob("test_*.py"))
    if collection_path.suffix == ".py" and collection_path.name.startswith("test_"):
        return not runs_here(collection_path)
    return None


def pytest_collection_modifyitems(config, items):
    for item in items:
        if runtime_of(Path(item.fspath)) == "both":
            item.add_marker(pytest.mark.shared)


@pytest.fixture(scope="session")
def model() -> Path:
    """The current model; trained at most once (cached by data hash in models/)."""
    return ensure_model()


@pytest.fixture(scope="session")
def nlu(model):
    """The model loaded in this process, parsing as a Rasa server does."""
    from tools.triage import LocalNLU

    return LocalNLU(model)


# Tests use their own Redis database number, flushed around each test.
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/13")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    """One SQLite transcript store per session, shared by the gateways and the action server."""
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'hotline.sqlite3'}"


@pytest.fixture(scope="session")
def backend(model, tmp_path_factory, database_url):
    """A real Rasa server and action server on free loopback ports."""
    env = {"REDIS_URL": TEST_REDIS_URL, "DATABASE_URL": database_url}
    with running_backend(model, log_dir=tmp_path_factory.mktemp("backend"), env=env) as running:
        yield running


@pytest.fixture
async def redis():
    """The test database through the client production uses (handoff.queue.connect): a bounded
    pool that waits for a free connection (redis-py's plain pool refuses past 100)."""
    from handoff.queue import connect

    client = connect(TEST_REDIS_URL)
    await client.flushdb()
    yield client
    await client.flushdb()
    await getattr(client, "aclose", client.close)()  # redis-py 4.6 (Rasa's runtime) has only close()


@pytest.fixture
def redis_server(tmp_path):
    """A private redis-server of the test's own (tests/services.py), which it may crash or count."""
    from tests.services import RedisServer

    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def store(database_url):
    from handoff.store import Store

    return Store.from_url(database_url)

async def start_gateway(rasa_url: str, redis, store, rasa_token: str = "", **settings):
    """A gateway on a free port, with the test Redis and store handed in."""
    from bot.app import RUN_OPTIONS, create_app

    port = settings.pop("port", None) or free_port()  # a fixed port when a peer must know it first (Kannel)
    # Tests read the bot's answers in the request's reply; a slow answer on a loaded test machine is
    # not the "please wait" case, which tests/bot/test_admission.py sets up on purpose.
    # Nor do tests that send many messages at once mean to fill Rasa's places (admission control):
    # unbounded here, bounded in that test.
    settings.setdefault("reply_wait_s", 60.0)
    settings.setdefault("rasa_max_in_flight", 0)
    settings.setdefault("max_active_turns", 0)
    config = Config(port=port, rasa_url=rasa_url, rasa_timeout_s=15, rasa_token=rasa_token, **settings)
    runner = web.AppRunner(create_app(config, redis=redis, store=store), **RUN_OPTIONS)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner, f"http://127.0.0.1:{port}"


async def stop_gateway(runner) -> None:
    """Stop a test gateway; a stop that hangs fails the test loudly instead of freezing the run."""
    import asyncio

    await asyncio.wait_for(runner.cleanup(), 90)


@pytest.fixture
async def gateway(backend, redis, store):
    """The gateway on a real port, talking to the real Rasa server."""
    runner, url = await start_gateway(backend.rasa_url, redis, store, backend.token)
    yield url
    await stop_gateway(runner)


@pytest.fixture
async def gateway_without_rasa(redis, store):
    """The gateway when Rasa is down: nothing listens on its port."""
    runner, url = await start_gateway(f"http://127.0.0.1:{free_port()}", redis, store)
    yield url
    await stop_gateway(runner)


async def rasa_tracker(http, rasa_url: str, token: str, sender_key: str) -> dict:
    """A conversation's tracker, through Rasa's HTTP API."""
    async with http.get(f"{rasa_url}/conversations/{sender_key}/tracker", params={"token": token}) as r:
        assert r.status == 200
        return await r.json()


@pytest.fixture
async def http():
    async with aiohttp.ClientSession() as session:
        yield session


def serve_gateway_in_a_thread(rasa_url, store, token=""):
    """A gateway on its own event loop in a thread, for blocking clients (Selenium); a generator
    that yields its URL and stops it afterwards (the fixtures below and the console's)."""
    import asyncio
    import threading

    from handoff.queue import connect

    loop = asyncio.new_event_loop()
    started = threading.Event()
    box = {}

    async def begin():
        box["redis"] = connect(TEST_REDIS_URL)
        await box["redis"].flushdb()
        return await start_gateway(rasa_url, box["redis"], store, token)

    async def end():
        await box["runner"].cleanup()
        await box["redis"].flushdb()
        await box["redis"].aclose()

    def serve():
        asyncio.set_event_loop(loop)
        box["runner"], box["url"] = loop.run_until_complete(begin())
        started.set()
        loop.run_forever()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    assert started.wait(30)
    yield box["url"]
    asyncio.run_coroutine_threadsafe(end(), loop).result(30)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)


@pytest.fixture
def console_in_thread(store):
    """The gateway in a thread with Rasa down (nothing listens on its port): the console's own pages."""
    yield from serve_gateway_in_a_thread(f"http://127.0.0.1:{free_port()}", store)


@pytest.fixture
def gateway_in_thread(backend, store):
    """The gateway on its own event loop in a thread, for blocking clients (Selenium)."""
    yield from serve_gateway_in_a_thread(backend.rasa_url, store, backend.token)


@pytest.fixture
def relayed_store():
    """A store on a fresh PostgreSQL database reached through a relay the test may cut (a network
    or a failover taking the database away); skipped where PostgreSQL is not running."""
    from handoff.store import Store
    from tests.services import TcpRelay, fresh_postgres_database, postgres_reachable

    if not postgres_reachable():
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432 (make services starts it where installed)")
    url = fresh_postgres_database("hotline_outage")
    relay = TcpRelay(5432).start()
    store = Store.from_url(url.replace("127.0.0.1:5432", f"127.0.0.1:{relay.port}"))
    yield store, relay
    relay.stop()
    store.engine.dispose()


@pytest.fixture
def browser():
    """Debian's Chromium, headless, phone-sized; tests resize it when they need a laptop."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    chromium, driver = shutil.which("chromium"), shutil.which("chromedriver")
    assert chromium and driver, "make browser installs Debian's chromium and chromium-driver"
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--window-size=390,844"):  # a phone screen
        options.add_argument(flag)
    browser = webdriver.Chrome(service=Service(driver), options=options)
    yield browser
    browser.quit()


def page_texts(browser, selector: str) -> list:
    """The text of every element matching ``selector``, read in one step in the page: a live
    page may redraw a list between finding its elements and reading them one by one."""
    return browser.execute_script(
        "return Array.from(document.querySelectorAll(arguments[0]), e => e.innerText)", selector)
