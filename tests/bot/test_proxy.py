"""Behind the reverse proxy of docs/deploy.md (TLS ends there), the gateway trusts
X-Forwarded-Proto only when told to (TRUST_PROXY): origin checks and Secure cookies then
see the HTTPS the browser used; exposed directly, the header changes nothing."""
import aiohttp
import pytest

from tools.launcher import free_port
from tests.conftest import start_gateway, stop_gateway
from tests.handoff.conftest import PASSWORD, ensure_user


@pytest.mark.parametrize("trust_proxy", [True, False])
async def test_the_forwarded_scheme_counts_only_behind_our_proxy(trust_proxy, redis, store):
    ensure_user(store, "proxy.lan")
    runner, url = await start_gateway(f"http://127.0.0.1:{free_port()}", redis, store, trust_proxy=trust_proxy)
    host = url.split("://", 1)[1]
    try:
        async with aiohttp.ClientSession() as http:
            async with http.post(f"{url}/api/login", json={"username": "proxy.lan", "password": PASSWORD},
                                 headers={"Origin": f"https://{host}", "X-Forwarded-Proto": "https"}) as r:
                assert r.status == (200 if trust_proxy else 403)
                if trust_proxy:
                    assert r.cookies and all(c["secure"] for c in r.cookies.values())
    finally:
        await stop_gateway(runner)
