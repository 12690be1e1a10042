import aiohttp
import pytest
from aiohttp import web

from bot.app import create_app
from bot.config import Config
from bot.launcher import free_port


async def start_gateway(rasa_url: str):
    port = free_port()
    runner = web.AppRunner(create_app(Config(port=port, rasa_url=rasa_url, rasa_timeout_s=5)))
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner, f"http://127.0.0.1:{port}"


@pytest.fixture
async def gateway(backend):
    """The gateway on a real port, talking to the real Rasa server."""
    runner, url = await start_gateway(backend.rasa_url)
    yield url
    await runner.cleanup()


@pytest.fixture
async def gateway_without_rasa():
    """The gateway when Rasa is down: nothing listens on its port."""
    runner, url = await start_gateway(f"http://127.0.0.1:{free_port()}")
    yield url
    await runner.cleanup()


@pytest.fixture
async def http():
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
def gateway_in_thread(backend):
    """The gateway on its own event loop in a thread, for blocking clients (Selenium)."""
    import asyncio
    import threading

    loop = asyncio.new_event_loop()
    started = threading.Event()
    box = {}

    def serve():
        asyncio.set_event_loop(loop)
        box["runner"], box["url"] = loop.run_until_complete(start_gateway(backend.rasa_url))
        started.set()
        loop.run_forever()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    assert started.wait(30)
    yield box["url"]
    asyncio.run_coroutine_threadsafe(box["runner"].cleanup(), loop).result(30)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)
