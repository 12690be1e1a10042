"""The shipped deploy/nginx.conf, run by Debian's nginx in front of a real gateway: HTTPS only,
HSTS, no version, sign-in limited per address, compressed bodies refused. The compose host names
are pointed at loopback and a throwaway certificate is made; nothing else is changed."""
import os
import shutil
import ssl
import subprocess
import sys

import aiohttp
import pytest

from tools.launcher import free_port, wait_for_port
from tools.model import ROOT, rasa_env

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


@pytest.fixture
def front_door(tmp_path, redis_server):
    if not os.path.exists(NGINX):
        pytest.skip("nginx is not installed (make nginx installs Debian's nginx)")
    gateway_port, http_port, https_port = free_port(), free_port(), free_port()
    env = {**rasa_env(), "GATEWAY_PORT": str(gateway_port), "TRUST_PROXY": "1", "REDIS_URL": redis_server.url,
           "DATABASE_URL": f"sqlite:///{tmp_path / 'front.sqlite3'}", "RASA_URL": f"http://127.0.0.1:{free_port()}"}
    gateway = subprocess.Popen([sys.executable, "-m", "bot", "serve"], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    certs = tmp_path / "certs"
    certs.mkdir()
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                    "-keyout", str(certs / "privkey.pem"), "-out", str(certs / "fullchain.pem")],
                   check=True, capture_output=True)
    site = (ROOT / "deploy" / "nginx.conf").read_text()
    site = (site.replace("gateway1:8080", f"127.0.0.1:{gateway_port}").replace("gateway2:8080", f"127.0.0.1:{gateway_port}")
            .replace("/etc/nginx/certs", str(certs)).replace("listen 80;", f"listen 127.0.0.1:{http_port};")
            .replace("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;"))
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"worker_processes 1; pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log;\n"
        f"events {{ worker_connections 64; }}\nhttp {{ include {tmp_path}/site.conf; }}\n")
    checked = subprocess.run([NGINX, "-t", "-c", str(tmp_path / "nginx.conf")], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    wait_for_port(gateway_port, gateway, 60, "gateway")
    nginx = subprocess.Popen([NGINX, "-c", str(tmp_path / "nginx.conf"), "-g", "daemon off;"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    wait_for_port(https_port, nginx, 20, "nginx")
    yield f"http://127.0.0.1:{http_port}", f"https://127.0.0.1:{https_port}"
    nginx.terminate()
    gateway.terminate()
    nginx.wait(10)
    gateway.wait(30)


async def test_the_front_door_serves_https_only_with_hsts_and_limits(front_door):
    plain, secure = front_door
    insecure = ssl.create_default_context()
    insecure.check_hostname, insecure.verify_mode = False, ssl.CERT_NONE  # the throwaway certificate
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=insecure)) as http:
        async with http.get(plain + "/healthz", allow_redirects=False) as r:
            assert r.status == 301 and r.headers["Location"].startswith("https://")
        async with http.get(secure + "/healthz") as r:
            assert r.status == 200
            assert r.headers["Strict-Transport-Security"].startswith("max-age=63072000")
            assert r.headers["Server"] == "nginx" and "base-uri 'none'" in r.headers["Content-Security-Policy"]
        statuses = []
        for _ in range(12):
            async with http.post(secure + "/api/login", json={"username": "x", "password": "y"}) as r:
                statuses.append(r.status)
        assert statuses[0] == 401 and statuses[-1] == 429 and set(statuses) <= {401, 429}
        async with http.post(secure + "/webhooks/web", data=b"\x1f\x8b", headers={"Content-Encoding": "gzip"}) as r:
            assert r.status == 415
