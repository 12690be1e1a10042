"""The store cannot be used (down, unreachable, out of disk), as opposed to a fault of ours.

``Store.run`` turns the first kind into ``StoreUnavailable``: the message path's writes then wait
in Redis (handoff/spool.py) and the console answers 503. The second kind (a missing table, a
violated constraint, a wrong statement) stays what it is: a 500 and a report to Sentry.
"""
from __future__ import annotations

import sqlalchemy as sa

# SQLite's result codes (``sqlite_errorname``, Python 3.11+) for a database that cannot be
# reached or written now; its generic SQLITE_ERROR ("no such table") is a fault of ours.
SQLITE_AWAY = ("SQLITE_FULL", "SQLITE_IOERR", "SQLITE_CANTOPEN", "SQLITE_BUSY", "SQLITE_LOCKED",
               "SQLITE_READONLY", "SQLITE_PROTOCOL", "SQLITE_NOLFS")


class StoreUnavailable(Exception):
    """The store could not be used; the text is the driver's error kind only, never its message
    (which can quote the statement's values: a person's words)."""


def unavailable(error: BaseException) -> bool:
    if isinstance(error, (sa.exc.InterfaceError, sa.exc.TimeoutError)):
        return True  # a connection unusable, or none left in the pool
    if not isinstance(error, sa.exc.OperationalError):
        return False
    if error.connection_invalidated:
        return True
    name = getattr(error.orig, "sqlite_errorname", None)
    if name is not None:
        return name.startswith(SQLITE_AWAY)
    return True  # the PostgreSQL drivers raise OperationalError for the connection itself
