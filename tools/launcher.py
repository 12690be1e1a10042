"""Start the Rasa server and the action server; used by `make run` and the tests."""
from __future__ import annotations

import contextlib
import json
import logging
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterator, List, Optional
from urllib.parse import unquote, urlsplit

from handoff.keys import RASA_TRACKERS
from tools.model import ROOT, rasa_env, rasa_python

# Rasa's trackers in Redis expire with the transcripts' retention period (RETENTION_DAYS).
DEFAULT_RETENTION_S = 180 * 86400

logger = logging.getLogger(__name__)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fresh_postgres_database(server: str, name: str) -> str:
    """An empty PostgreSQL database of this name on ``server`` (dropped first if left over, its
    sessions ended); its URL. For the scale-out test and the benchmark's shared tracker store."""
    import sqlalchemy as sa

    engine = sa.create_engine(f"{server}/test", isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as db:
            db.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"),
                       {"name": name})
            db.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
            db.execute(sa.text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return f"{server}/{name}"


def wait_for_port(port: int, process: subprocess.Popen, timeout_s: float, name: str) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with code {process.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.3)
    raise TimeoutError(f"{name} did not open port {port} within {timeout_s:.0f} s")


@dataclass
class Backend:
    """Running Rasa servers (sharing a tracker store when there are several) and an action
    server, on loopback."""

    rasa_ports: List[int]
    action_port: int
    model: Path
    workdir: tempfile.TemporaryDirectory
    # Token every request to Rasa must carry (the gateway's), and the one Rasa sends the action server.
    token: str = ""
    action_token: str = ""
    log_dir: Optional[Path] = None
    env: Optional[Dict[str, str]] = None
    tracker_url: str = ""
    retention_s: int = DEFAULT_RETENTION_S
    actions: Optional[subprocess.Popen] = None
    rasas: List[Optional[subprocess.Popen]] = field(default_factory=list)

    @property
    def rasa_url(self) -> str:
        """The first Rasa server (its HTTP API: trackers are shared)."""
        return self.rasa_urls[0]

    @property
    def rasa_urls(self) -> List[str]:
        return [f"http://127.0.0.1:{port}" for port in self.rasa_ports]

    @property
    def gateway_rasa_url(self) -> str:
        """RASA_URL for a gateway: every server, comma-separated."""
        return ",".join(self.rasa_urls)

    @property
    def processes(self) -> List[subprocess.Popen]:
        return [p for p in [self.actions, *self.rasas] if p is not None]

    def start_actions(self) -> None:
        self.actions = start_actions(self.action_port, self._log("actions.log"), self.env, self.action_token)

    def start_rasa(self, i: int) -> None:
        self.rasas[i] = start_rasa(self.model, self.rasa_ports[i], self.action_port, Path(self.workdir.name),
                                   self._log(f"rasa-{i}.log"), self.token, self.tracker_url,
                                   self.retention_s, self.action_token)

    def wait(self, timeout_s: float = 180) -> None:
        wait_for_port(self.action_port, self.actions, timeout_s, "action server")
        for port, rasa in zip(self.rasa_ports, self.rasas):
            wait_for_port(port, rasa, timeout_s, "rasa server")

    def kill(self, process: Optional[subprocess.Popen]) -> None:
        """As a crash does: SIGKILL, no clean-up."""
        if process is not None and process.poll() is None:
            process.kill()
            process.wait(15)

    def _log(self, name: str) -> Optional[Path]:
        return self.log_dir / name if self.log_dir else None

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        self.workdir.cleanup()


def start_actions(port: int, log: Optional[Path] = None, env: Optional[Dict[str, str]] = None,
                  token: str = "") -> subprocess.Popen:
    """The action server (actions/server.py) in this, the services', runtime, on loopback. The
    actions escalate through the handoff library: they get the same REDIS_URL and DATABASE_URL."""
    return subprocess.Popen(
        [sys.executable, "-m", "actions.server", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT, env={**rasa_env(), **(env or {}), "ACTION_SERVER_TOKEN": token},
        stdout=_sink(log), stderr=subprocess.STDOUT,
    )


def tracker_store_lines(url: str, retention_s: int = DEFAULT_RETENTION_S) -> List[str]:
    """endpoints.yml for Rasa's tracker store: redis://… (RedisTrackerStore), any other
    SQLAlchemy URL (SQLTrackerStore), or nothing (in memory)."""
    if not url:
        return []
    if url.startswith(("redis://", "rediss://")):
        parts = urlsplit(url)
        config = {"type": "redis", "url": parts.hostname or "127.0.0.1", "port": parts.port or 6379,
                  "db": int((parts.path or "/0").lstrip("/") or 0), "password": unquote(parts.password or "") or None,
                  "use_ssl": parts.scheme == "rediss", "key_prefix": RASA_TRACKERS,
                  # Trackers hold what people wrote: they expire with the retention period.
                  "record_exp": retention_s}
        return ["tracker_store:"] + [f"  {k}: {json.dumps(v)}" for k, v in config.items() if v is not None]
    # Rasa takes a full SQLAlchemy URL in "url" (SQLTrackerStore.get_db_url).
    return ["tracker_store:", "  type: SQL", f"  url: {json.dumps(url)}"]


def action_endpoint_lines(url: str, token: str = "") -> List[str]:
    """endpoints.yml for the action server: its URL, and the token as a header (never in the URL,
    which Rasa logs)."""
    lines = ["action_endpoint:", f"  url: {json.dumps(url)}"]
    if token:
        lines += ["  headers:", f"    Authorization: {json.dumps('Bearer ' + token)}"]
    return lines


def rasa_command(model: Path, port: int, action_url: str, workdir: Path, token: str = "", tracker_url: str = "",
                 interface: str = "127.0.0.1", retention_s: int = DEFAULT_RETENTION_S,
                 action_token: str = "") -> List[str]:
    """`rasa run` for one server; its endpoints file is written to ``workdir`` (readable by its
    owner only: it holds the action server's token)."""
    # The action server's address changes per run; several servers share one SQL tracker store.
    endpoints = workdir / f"endpoints-{port}.yml"
    lines = action_endpoint_lines(action_url, action_token) + tracker_store_lines(tracker_url, retention_s)
    endpoints.touch(mode=0o600)
    endpoints.write_text("\n".join(lines) + "\n")
    # "=" form: a token may begin with "-", which argparse would take for an option (exit code 2).
    api = ["--enable-api", f"--auth-token={token}"] if token else []
    return [rasa_python(), "-m", "tools.rasa_server", "run", "--model", str(model), "--interface", interface,
            "--port", str(port), "--credentials", str(ROOT / "credentials.yml"),
            "--endpoints", str(endpoints), "--quiet", *api]


def start_rasa(model: Path, port: int, action_port: int, workdir: Path, log: Optional[Path] = None,
               token: str = "", tracker_url: str = "", retention_s: int = DEFAULT_RETENTION_S,
               action_token: str = "") -> subprocess.Popen:
    command = rasa_command(model, port, f"http://127.0.0.1:{action_port}/webhook", workdir, token, tracker_url,
                           retention_s=retention_s, action_token=action_token)
    return subprocess.Popen(command, cwd=ROOT, env=rasa_env(), stdout=_sink(log), stderr=subprocess.STDOUT)


def exec_rasa(model: Path, config) -> None:
    """`python -m bot rasa`: this process becomes one Rasa server (for containers and process
    managers, which then signal Rasa itself), configured from the environment (shared/config.py)."""
    workdir = Path(tempfile.mkdtemp(prefix="hotline-rasa-"))
    command = rasa_command(model, config.rasa_port, config.action_server_url, workdir, config.rasa_token,
                           config.tracker_store_url, config.rasa_host, int(config.retention_days * 86400),
                           config.action_token)
    os.chdir(ROOT)
    os.execve(command[0], command, rasa_env())


def _sink(log: Optional[Path]):
    return open(log, "ab") if log else subprocess.DEVNULL


def start_backend(
    model: Path, rasa_port: Optional[int] = None, action_port: Optional[int] = None,
    log_dir: Optional[Path] = None, timeout_s: float = 180, env: Optional[Dict[str, str]] = None,
    rasa_servers: int = 1, tracker_url: str = "", retention_s: int = DEFAULT_RETENTION_S,
) -> Backend:
    """Rasa servers and the action server. ``tracker_url`` (an SQLAlchemy URL; empty: trackers
    in memory) lets a conversation survive a server's restart and go on on another one."""
    ports = [rasa_port or free_port()] + [free_port() for _ in range(rasa_servers - 1)]
    token = os.environ.get("RASA_TOKEN") or secrets.token_hex(24)
    action_token = os.environ.get("ACTION_SERVER_TOKEN") or secrets.token_hex(24)
    backend = Backend(ports, action_port or free_port(), model, tempfile.TemporaryDirectory(prefix="hotline-backend-"),
                      token, action_token, log_dir, env, tracker_url, retention_s, rasas=[None] * rasa_servers)
    backend.start_actions()
    for i in range(rasa_servers):
        backend.start_rasa(i)
    try:
        backend.wait(timeout_s)
    except Exception:
        backend.stop()
        raise
    return backend


@contextlib.contextmanager
def running_backend(model: Path, **kwargs) -> Iterator[Backend]:
    backend = start_backend(model, **kwargs)
    try:
        yield backend
    finally:
        backend.stop()


def run_all(model: Path) -> int:
    """`make run`: Rasa, actions and the gateway until Ctrl-C."""
    from bot.app import serve
    from shared.config import Config

    config = Config.from_env()
    log_dir = ROOT / "logs"
    log_dir.mkdir(exist_ok=True)
    logger.info("starting %d Rasa server(s) (from port %d) and actions (5055); a model takes ~30 s to load",
                config.rasa_servers, config.rasa_port)
    with running_backend(model, rasa_port=config.rasa_port, action_port=5055, log_dir=log_dir,
                         rasa_servers=config.rasa_servers, tracker_url=config.tracker_store_url,
                         retention_s=int(config.retention_days * 86400)) as backend:
        config = config.with_(rasa_url=backend.gateway_rasa_url, rasa_token=backend.token)
        print(f"Web chat: http://{config.host}:{config.port}/   Console: http://{config.host}:{config.port}/console/"
              "  (Ctrl-C to stop)", flush=True)
        serve(config)
    return 0
