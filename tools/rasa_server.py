"""`python -m tools.rasa_server run …`: Rasa's own command line (the same arguments as `rasa`),
with two fixes for speed that change no answer (docs/performance.md, "How the goals were reached"),
and one gate.

1. Rasa 3.6 checks every custom action's answer with ``jsonschema.validate``, which first checks
   the schema itself against its metaschema. The schema never changes, yet that check is 98% of
   the call: 4.8 ms of CPU with jsonschema 3.2, about 8% of a Rasa server's CPU under load.
   Here each schema is checked once; every answer is still validated.
2. Each message goes through two TensorFlow models (DIET, ResponseSelector). Rasa calls their
   traced ``tf.function`` with the batch as nested NumPy arrays, and TensorFlow spends more time
   matching that structure against the signature than running the graph (DIET: 5.3 ms a call,
   3.1 ms of it when the traced graph gets its flat tensors). Here, once traced, the same graph is
   called with the flat tensors, cast to the dtypes it was traced for.
"""
from __future__ import annotations

import hmac
import json
import sys
import weakref
from typing import Any, Dict, Set, Tuple

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


# Rasa's own ``RasaModel._rasa_predict``, kept by ``install()``.
_original_predict: Any = None
# A model's traced graph and its input dtypes; kept beside the model, not on it, because a Keras
# model tracks whatever is set on it as part of what it saves.
_graphs: "weakref.WeakKeyDictionary[Any, Tuple[Any, list]]" = weakref.WeakKeyDictionary()


def rasa_predict(model: Any, batch_in: Tuple[Any, ...]) -> Dict[str, Any]:
    """``RasaModel._rasa_predict`` calling the traced graph with flat tensors."""
    import tensorflow as tf
    from keras.utils import tf_utils
    from rasa.shared.constants import DIAGNOSTIC_DATA

    graph = _graphs.get(model)
    if graph is None:
        outputs = _original_predict(model, batch_in)  # traces the graph on first use, as Rasa does
        if not model._run_eagerly and model._tf_predict_step is not None:
            concrete = model._tf_predict_step.get_concrete_function()
            dtypes = [spec.dtype for spec in tf.nest.flatten(concrete.structured_input_signature)]
            _graphs[model] = (concrete, dtypes)
        return outputs
    concrete, dtypes = graph
    if len(batch_in) != len(dtypes):  # not the traced structure: Rasa's own way says why
        return _original_predict(model, batch_in)
    tensors = [tf.convert_to_tensor(value, dtype=dtype) for value, dtype in zip(batch_in, dtypes)]
    outputs = tf_utils.sync_to_numpy_or_python_type(concrete._call_flat(tensors, concrete.captured_inputs))
    if DIAGNOSTIC_DATA in outputs:
        outputs[DIAGNOSTIC_DATA] = model._empty_lists_to_none_in_dict(outputs[DIAGNOSTIC_DATA])
    return outputs


def presented_token(args: Any, headers: Any) -> str:
    """The token a request carries: ``?token=`` (Rasa's own API) or ``Authorization: Bearer``."""
    bearer = headers.get("Authorization", "")
    return bearer[len("Bearer "):] if bearer.startswith("Bearer ") else args.get("token", "")


def token_gate(token: str) -> Any:
    """A Sanic request middleware: every route needs ``token``. Rasa's ``--auth-token`` guards its
    HTTP API only; the REST channel and ``/`` (which tells Rasa's version) answered anyone."""
    from sanic import response

    async def require_token(request: Any) -> Any:
        if not hmac.compare_digest(presented_token(request.args, request.headers).encode(), token.encode()):
            return response.json({"error": "unauthorised"}, status=401)
        return None

    return require_token


def gate_rasa_server() -> None:
    """With ``--auth-token``, every request to this server must carry it (docs/deploy.md)."""
    import rasa.core.run

    original = rasa.core.run.configure_app
    if getattr(original, "gated", False):
        return

    def configure_app(input_channels: Any = None, cors: Any = None, auth_token: Any = None, *args: Any,
                      **kwargs: Any) -> Any:
        app = original(input_channels, cors, auth_token, *args, **kwargs)
        if auth_token:
            app.register_middleware(token_gate(auth_token), "request")
        return app

    configure_app.gated = True  # type: ignore[attr-defined]
    rasa.core.run.configure_app = configure_app


def install() -> None:
    """Both fixes, for a Rasa server or a model loaded in this process."""
    global _original_predict
    from rasa.utils.tensorflow.models import RasaModel

    jsonschema.validate = validate  # Rasa imports it at each call, so it gets this one
    if _original_predict is None:
        _original_predict = RasaModel._rasa_predict
        RasaModel._rasa_predict = rasa_predict


def main() -> None:
    install()
    gate_rasa_server()
    from rasa.__main__ import main as rasa_main

    sys.argv[0] = "rasa"
    rasa_main()


if __name__ == "__main__":
    main()
