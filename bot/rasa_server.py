"""`python -m bot.rasa_server run …`: Rasa's own command line (the same arguments as `rasa`),
with one fix for speed.

Rasa 3.6 checks every custom action's answer with ``jsonschema.validate``, which first checks
the schema itself against its metaschema. The schema never changes, yet that check is 98% of
the call: 4.8 ms of CPU with jsonschema 3.2, about 8% of a Rasa server's CPU under load
(README, "Load, latency"). Here each schema is checked once; every answer is still validated.
"""
from __future__ import annotations

import json
import sys
from typing import Any, Set, Tuple

import jsonschema
from jsonschema import exceptions, validators

_checked: Set[Tuple[type, str]] = set()


def validate(instance: Any, schema: Any, cls: Any = None, *args: Any, **kwargs: Any) -> None:
    """``jsonschema.validate``, checking a schema only the first time it is seen."""
    cls = cls or validators.validator_for(schema)
    key = (cls, json.dumps(schema, sort_keys=True, default=repr))
    if key not in _checked:
        cls.check_schema(schema)
        _checked.add(key)
    error = exceptions.best_match(cls(schema, *args, **kwargs).iter_errors(instance))
    if error is not None:
        raise error


def main() -> None:
    jsonschema.validate = validate  # Rasa imports it at each call, so it gets this one
    from rasa.__main__ import main as rasa_main

    sys.argv[0] = "rasa"
    rasa_main()


if __name__ == "__main__":
    main()
