"""Local stand-ins for the providers we cannot reach, speaking their real wire formats."""
from aiohttp import web


async def serve(app: web.Application, port: int) -> web.AppRunner:
    """A fake's app on a loopback port; the caller cleans the runner up."""
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner
