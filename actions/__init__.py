"""Rasa custom actions, by topic. Importing the package (as the action server does) turns
on error reports when SENTRY_DSN is set, scrubbed as in shared/errors.py."""
from shared import errors as _errors
from shared.config import Config as _Config

_config = _Config.from_env()
_errors.init(_config.sentry_dsn, _config.sentry_environment)


def directory():
    """The service directory of this deployment's profile (HOTLINE_PROFILE)."""
    from directory import default_directory

    return default_directory(_config.profile)
