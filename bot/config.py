"""Gateway configuration, read from environment variables in this one place."""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Mapping, Optional


@dataclass(frozen=True)
class Config:
    host: str = "127.0.0.1"
    port: int = 8080
    rasa_url: str = "http://127.0.0.1:5005"
    rasa_timeout_s: float = 15.0
    # Longest message accepted; the NLU reads the first 2000 characters of it
    # (bot/triage.py) and the urgency detector all of it.
    max_message_chars: int = 20_000
    max_sender_chars: int = 128

    @classmethod
    def from_env(cls, env: Optional[Mapping[str, str]] = None) -> "Config":
        env = os.environ if env is None else env
        return cls(
            host=env.get("GATEWAY_HOST", cls.host),
            port=int(env.get("GATEWAY_PORT", cls.port)),
            rasa_url=env.get("RASA_URL", cls.rasa_url).rstrip("/"),
            rasa_timeout_s=float(env.get("RASA_TIMEOUT_S", cls.rasa_timeout_s)),
            max_message_chars=int(env.get("MAX_MESSAGE_CHARS", cls.max_message_chars)),
        )
