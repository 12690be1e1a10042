"""A real Kannel on loopback: bearerbox and smsbox from Debian's `kannel`, with the fake SMSC
`fakesmsc` from `kannel-extras` standing in for the operator's SMS centre (the phone side).

``Kannel.phone(number, text)`` sends one mobile-originated SMS through fakesmsc and keeps
that fakesmsc connected, so it prints every message Kannel then sends (mobile-terminated);
``received()`` decodes them, joining concatenated parts by their UDH.
"""
from __future__ import annotations

import re
import shutil
import socket
import subprocess
import time
from pathlib import Path
from typing import Dict, List, Optional, Tuple
from urllib.parse import quote, unquote_to_bytes

FAKESMSC = Path("/usr/lib/kannel/test/fakesmsc")
_GOT = re.compile(r"Got message \d+: <(.*)>")


def available() -> Optional[str]:
    """None when Kannel can run here, else why not."""
    missing = [name for name in ("bearerbox", "smsbox") if not shutil.which(name)]
    if missing or not FAKESMSC.exists():
        return "Kannel is not installed (make kannel installs Debian's kannel and kannel-extras)"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_port(port: int, timeout_s: float = 20) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), 0.5).close()
            return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"nothing listens on {port}")


class Kannel:
    def __init__(self, workdir: Path, gateway_port: int, key: str) -> None:
        self.workdir, self.key = workdir, key
        self.admin, self.smsbox_port, self.smsc_port, self.sendsms_port = (_free_port() for _ in range(4))
        self.gateway = f"http://127.0.0.1:{gateway_port}"
        self.processes: List[subprocess.Popen] = []
        self.phone_process: Optional[subprocess.Popen] = None
        self.phone_log = workdir / "fakesmsc.log"

    @property
    def sendsms_url(self) -> str:
        return f"http://127.0.0.1:{self.sendsms_port}/cgi-bin/sendsms"

    def config(self) -> str:
        get_url = (f"{self.gateway}/webhooks/sms?key={self.key}&from=%p&to=%P&text=%b&id=%I"
                   "&coding=%c&charset=%C")
        return f"""
group = core
admin-port = {self.admin}
admin-password = {self.key}
smsbox-port = {self.smsbox_port}
box-allow-ip = 127.0.0.1
log-file = "{self.workdir / 'bearerbox.log'}"
log-level = 2
dlr-storage = internal

group = smsc
smsc = fake
smsc-id = fake
port = {self.smsc_port}
connect-allow-ip = 127.0.0.1

group = smsbox
bearerbox-host = 127.0.0.1
bearerbox-port = {self.smsbox_port}
sendsms-port = {self.sendsms_port}
sendsms-interface = 127.0.0.1
log-file = "{self.workdir / 'smsbox.log'}"
log-level = 2
mo-recode = true

group = sendsms-user
username = hotline
password = {self.key}
concatenation = true
max-messages = 6

group = sms-service
keyword = default
catch-all = true
max-messages = 0
get-url = "{get_url}"
"""

    def start(self) -> "Kannel":
        conf = self.workdir / "kannel.conf"
        conf.write_text(self.config())
        for box, port in (("bearerbox", self.smsbox_port), ("smsbox", self.sendsms_port)):
            out = open(self.workdir / f"{box}.out", "ab")
            self.processes.append(subprocess.Popen([box, str(conf)], stdout=out, stderr=subprocess.STDOUT))
            _wait_port(port)
        return self

    def stop(self) -> None:
        for process in ([self.phone_process] if self.phone_process else []) + self.processes[::-1]:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    process.kill()

    def phone(self, number: str, text: str, ucs2: bool = False) -> None:
        """The phone ``number`` sends ``text``; its fakesmsc stays to receive the answers."""
        if self.phone_process and self.phone_process.poll() is None:
            self.phone_process.terminate()
            self.phone_process.wait(10)
        if ucs2:
            body = "ucs2 " + quote(text.encode("utf-16-be"), safe="")
        else:
            body = "text " + text
        log = open(self.phone_log, "ab")
        self.phone_process = subprocess.Popen(
            [str(FAKESMSC), "-H", "127.0.0.1", "-r", str(self.smsc_port), "-m", "1", f"{number} 18001769 {body}"],
            stdout=log, stderr=subprocess.STDOUT)

    def received(self) -> List[Dict[str, str]]:
        """Messages the phones got, concatenated parts joined: [{"to", "text", "coding"}]."""
        messages: List[Dict[str, str]] = []
        pending: Dict[Tuple[str, int], Dict[int, str]] = {}
        if not self.phone_log.exists():
            return messages
        for line in self.phone_log.read_text(errors="replace").splitlines():
            found = _GOT.search(line)
            if not found:
                continue
            tokens = found.group(1).split(" ")
            to, kind = tokens[1], tokens[2]  # tokens[0] is the sender (our short code)
            udh = None
            if kind == "udh":
                udh, kind, data = unquote_to_bytes(tokens[3]), tokens[4], " ".join(tokens[5:])
            else:
                data = " ".join(tokens[3:])
            raw = unquote_to_bytes(data.replace("+", "%20"))  # fakesmsc writes a 0x20 byte as "+"
            # fakesmsc prints "ucs-2" for a single UCS-2 part but "data" for every concatenated part,
            # so a part is read as UCS-2 when half its bytes are the 0x00 of Vietnamese text in UTF-16.
            ucs2 = kind == "ucs-2" or (len(raw) % 2 == 0 and raw[0::2].count(0) * 3 > len(raw) // 2)
            text = raw.decode("utf-16-be") if ucs2 else raw.decode("latin-1")
            coding = "ucs2" if ucs2 else "gsm"
            if udh and len(udh) >= 6 and udh[1] == 0:  # concatenation: ref, total, seq
                ref, total, seq = udh[3], udh[4], udh[5]
                parts = pending.setdefault((to, ref), {})
                parts[seq] = text
                if len(parts) == total:
                    messages.append({"to": to, "text": "".join(parts[i] for i in sorted(parts)), "coding": coding,
                                     "parts": str(total)})
                    del pending[(to, ref)]
            else:
                messages.append({"to": to, "text": text, "coding": coding, "parts": "1"})
        return messages
