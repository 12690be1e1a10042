"""Console accounts and sessions: argon2 password hashes in SQL, sessions in Redis.

The session cookie holds only a random token (HttpOnly, SameSite=Strict); a new token
is issued at every sign-in, so a token planted before sign-in is worthless (no session
fixation). State-changing requests must carry the session's CSRF token in the
``X-CSRF-Token`` header and come from our own origin. A session remembers a tag of the password
hash it signed in with: a password change (`python -m handoff users passwd`) ends every session
signed in with the old one. Throttling and the hashing pool: handoff/signin.py.
"""
from __future__ import annotations

import functools
import hashlib
import hmac
import json
import logging
import secrets
from dataclasses import dataclass
from typing import Awaitable, Callable, Optional, Union

from aiohttp import web
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from redis.asyncio import Redis

from handoff.errors import STORE_UNAVAILABLE_TEXT, StoreUnavailable
from handoff.keys import Keys
from handoff.permissions import allowed, can, permissions  # noqa: F401 (allowed, permissions: re-exported)
from handoff.signin import HashPool, HashPoolBusy, Refusal, SignInThrottle
from handoff.store import Store

ROLES = ("counsellor", "supervisor", "admin")
COOKIE = "hl_session"
_hasher = PasswordHasher()
# Verifying against this keeps unknown usernames as slow as wrong passwords.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@dataclass(frozen=True)
class Session:
    token: str
    username: str
    display_name: str
    role: str
    csrf: str
    capacity: int
    # A tag of the password hash at sign-in: when the password changes, the session ends.
    credential: str = ""
    languages: str = ""  # besides Vietnamese, space-separated (handoff/language_offer.py)


def credential_tag(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode("utf-8")).hexdigest()[:16]


class Sessions:
    def __init__(self, redis: Redis, store: Store, ttl_s: int, prefix: str = "hl:",
                 throttle: Optional[SignInThrottle] = None, hashes: Optional[HashPool] = None) -> None:
        self.redis, self.store, self.ttl_s, self.keys = redis, store, ttl_s, Keys(prefix)
        self.throttle = throttle or SignInThrottle(redis, prefix)
        self.hashes = hashes or HashPool()

    def _key(self, token: str) -> str:
        return self.keys.session(token)

    async def login(self, username: str, password: str, address: str) -> Union[Session, Refusal, None]:
        """A new session; a Refusal when this try is throttled or the hashing pool is full (the
        password was not checked); None for a wrong name or password or a disabled account."""
        refusal = await self.throttle.refusal(username, address)
        if refusal:
            return refusal
        user = await self.store.run(self.store.accounts.get, username)
        try:
            ok = await self.hashes.run(verify_password, user["password_hash"] if user else _DUMMY_HASH, password)
        except HashPoolBusy:
            return Refusal("busy", 2)
        if not user or not ok or not user["active"]:
            await self.throttle.failed(username, address)
            return None
        await self.throttle.succeeded(username, address)
        session = Session(secrets.token_urlsafe(32), user["username"], user["display_name"], user["role"],
                          secrets.token_urlsafe(32), user["capacity"], credential_tag(user["password_hash"]),
                          user.get("languages") or "")
        await self.redis.set(self._key(session.token), json.dumps(session.__dict__), ex=self.ttl_s)
        return session

    async def get(self, token: str) -> Optional[Session]:
        if not token or len(token) > 100:
            return None
        raw = await self.redis.get(self._key(token))
        if not raw:
            return None
        session = Session(**json.loads(raw))
        try:
            user = await self.store.run(self.store.accounts.get, session.username)
        except StoreUnavailable:
            # The store away (handoff/spool.py): a session opened before goes on, so counsellors
            # keep the line; the account's checks below resume with the store (docs/decisions.md).
            await self.redis.expire(self._key(token), self.ttl_s)
            return session
        # An account disabled mid-session stops at once; so does a session from before a new password.
        if not user or not user["active"] or session.credential != credential_tag(user["password_hash"]):
            await self.logout(token)
            return None
        await self.redis.expire(self._key(token), self.ttl_s)  # sliding expiry while in use
        return session

    async def logout(self, token: str) -> None:
        await self.redis.delete(self._key(token))


logger = logging.getLogger(__name__)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def api_error(status: int, code: str, message: str) -> web.Response:
    return web.json_response({"error": code, "message": message}, status=status)


def requires(action: str) -> Callable[[Handler], Handler]:
    """Route decorator: a signed-in user whose role may do ``action`` (``can`` without a target,
    handoff/permissions.py); CSRF-checked when not a GET. Rules on the conversation itself are
    checked by the console's guard (handoff/console/guard.py)."""

    def wrap(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def checked(request: web.Request) -> web.StreamResponse:
            sessions: Sessions = request.app["sessions"]
            session = await sessions.get(request.cookies.get(COOKIE, ""))
            if session is None:
                return api_error(401, "unauthenticated", "Bạn cần đăng nhập.")
            if not can(session, action):
                return api_error(403, "forbidden", "Tài khoản của bạn không có quyền này.")
            if request.method not in ("GET", "HEAD") and not csrf_ok(request, session):
                return api_error(403, "csrf", "Yêu cầu không hợp lệ (CSRF). Hãy tải lại trang.")
            request["session"] = session
            try:
                return await handler(request)
            except StoreUnavailable as error:  # its text is the driver's error kind only (handoff/store/faults.py)
                logger.warning("console %s: transcript store unavailable (%s)", action, error)
                return api_error(503, "store_unavailable", STORE_UNAVAILABLE_TEXT)

        checked.action = action  # the security tests walk routes by this
        return checked

    return wrap


PUBLIC_API = {"/api/login"}


@web.middleware
async def deny_unlisted(request: web.Request, handler) -> web.StreamResponse:
    """Deny by default: an /api/ route whose handler declares no action is refused."""
    route_handler = request.match_info.handler
    if (request.path.startswith("/api/") and request.path not in PUBLIC_API
            and not getattr(route_handler, "action", None) and request.match_info.http_exception is None):
        return api_error(403, "forbidden", "Không có quyền.")
    return await handler(request)


def csrf_ok(request: web.Request, session: Session) -> bool:
    origin = request.headers.get("Origin")
    if origin and origin != f"{request.scheme}://{request.host}":
        return False
    return hmac.compare_digest(request.headers.get("X-CSRF-Token", ""), session.csrf)
