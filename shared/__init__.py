"""What every room of the hotline uses, at the bottom of the layering: configuration from the
environment (``shared.config``), request bodies from outside (``shared.payload``), what every HTTP
server of ours shares (``shared.http_limits``) and error reports without the people in them
(``shared.errors``).

The gateway (bot/), its channels, the handoff (handoff/) and the action server (actions/) import
from here; this package imports nothing of the project's other rooms (bot, nlu, directory,
handoff, actions), only the standard library and third-party packages (tests/test_rooms.py).
Both runtimes import it: ``python -m bot rasa`` reads ``shared.config`` in Rasa's.

Not to be confused with the hotline's shared material beside the checkout (../shared, SHARED_DIR:
evaluation samples and seeds), which is data, not code.
"""
