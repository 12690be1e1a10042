"""Request bodies from outside: a JSON object or a clear refusal, never a crash."""
from __future__ import annotations

import json
from typing import Any, Dict


class NotAnObject(ValueError):
    """The body is not UTF-8 JSON holding an object; ``code`` says which part failed."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def json_object(raw: bytes | str) -> Dict[str, Any]:
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError:
        raise NotAnObject("invalid_encoding") from None
    try:
        body = json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: "[[[[..." nested thousands deep
        raise NotAnObject("invalid_json") from None
    if not isinstance(body, dict):
        raise NotAnObject("invalid_body")
    return body
