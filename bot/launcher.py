"""Start the Rasa server and the action server; used by `make run` and the tests."""
from __future__ import annotations

import contextlib
import logging
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator, List, Optional

from bot.model import ROOT, rasa_env

logger = logging.getLogger(__name__)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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
    """A running Rasa server and action server on loopback."""

    rasa_port: int
    action_port: int
    processes: List[subprocess.Popen]
    workdir: tempfile.TemporaryDirectory
    # Token of Rasa's HTTP API, which the gateway uses to pause conversations.
    token: str = ""

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

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


def start_actions(port: int, log: Optional[Path] = None, env: Optional[Dict[str, str]] = None) -> subprocess.Popen:
    # The actions escalate through the handoff library: they get the same REDIS_URL and DATABASE_URL.
    return subprocess.Popen(
        [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(port), "--quiet"],
        cwd=ROOT, env={**rasa_env(), **(env or {})}, stdout=_sink(log), stderr=subprocess.STDOUT,
    )


def start_rasa(model: Path, port: int, action_port: int, workdir: Path, log: Optional[Path] = None,
               token: str = "") -> subprocess.Popen:
    endpoints = workdir / "endpoints.yml"  # the action server's port changes per run
    endpoints.write_text(f'action_endpoint:\n  url: "http://127.0.0.1:{action_port}/webhook"\n')
    # "=" form: a token may begin with "-", which argparse would take for an option (exit code 2).
    api = ["--enable-api", f"--auth-token={token}"] if token else []
    return subprocess.Popen(
        [sys.executable, "-m", "rasa", "run", "--model", str(model), "--interface", "127.0.0.1",
         "--port", str(port), "--credentials", str(ROOT / "credentials.yml"),
         "--endpoints", str(endpoints), "--quiet", *api],
        cwd=ROOT, env=rasa_env(), stdout=_sink(log), stderr=subprocess.STDOUT,
    )


def _sink(log: Optional[Path]):
    return open(log, "ab") if log else subprocess.DEVNULL


def start_backend(
    model: Path, rasa_port: Optional[int] = None, action_port: Optional[int] = None,
    log_dir: Optional[Path] = None, timeout_s: float = 180, env: Optional[Dict[str, str]] = None,
) -> Backend:
    rasa_port, action_port = rasa_port or free_port(), action_port or free_port()
    logs = (log_dir / "actions.log", log_dir / "rasa.log") if log_dir else (None, None)
    workdir = tempfile.TemporaryDirectory(prefix="hotline-backend-")
    token = os.environ.get("RASA_TOKEN") or secrets.token_hex(24)
    actions = start_actions(action_port, logs[0], env)
    rasa = start_rasa(model, rasa_port, action_port, Path(workdir.name), logs[1], token)
    backend = Backend(rasa_port, action_port, [actions, rasa], workdir, token)
    try:
        wait_for_port(action_port, actions, timeout_s, "action server")
        wait_for_port(rasa_port, rasa, timeout_s, "rasa server")
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
    from bot.config import Config

    config = Config.from_env()
    rasa_port = int(os.environ.get("RASA_PORT", "5005"))
    log_dir = ROOT / "logs"
    log_dir.mkdir(exist_ok=True)
    logger.info("starting Rasa (port %d) and actions (5055); the model takes ~30 s to load", rasa_port)
    with running_backend(model, rasa_port=rasa_port, action_port=5055, log_dir=log_dir) as backend:
        config = config.with_(rasa_url=backend.rasa_url, rasa_token=backend.token)
        print(f"Web chat: http://{config.host}:{config.port}/   Console: http://{config.host}:{config.port}/console/"
              "  (Ctrl-C to stop)", flush=True)
        serve(config)
    return 0
