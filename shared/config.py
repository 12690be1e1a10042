"""Configuration of the gateway, the handoff and the console, read from environment
variables in this one place (the action server reads the same variables)."""
from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Dict, Mapping, Optional

ROOT = Path(__file__).resolve().parent.parent


def parse_ageing(raw: str) -> Dict[str, float]:
    """"normal:300,high:900": a case waiting that long moves up one priority level."""
    steps: Dict[str, float] = {}
    for part in filter(None, (p.strip() for p in raw.split(","))):
        level, _, seconds = part.partition(":")
        if level.strip() not in ("normal", "high") or not seconds:
            raise ValueError(f"QUEUE_AGEING: expected level:seconds with level normal or high, got {part!r}")
        steps[level.strip()] = float(seconds)
    return steps


@dataclass(frozen=True)
class Config:
    host: str = "127.0.0.1"
    port: int = 8080
    # One Rasa server, or several separated by commas (each conversation sticks to one; bot/rasa_client.py).
    rasa_url: str = "http://127.0.0.1:5005"
    # `make run`: how many Rasa servers to start, from this port, and their shared tracker store
    # (an SQLAlchemy URL, e.g. postgresql://user@host/tracker; empty: in memory, lost on restart).
    rasa_servers: int = 1
    rasa_port: int = 5005
    tracker_store_url: str = ""
    # `python -m bot rasa` (one server, e.g. in a container): where it listens and its action server.
    rasa_host: str = "127.0.0.1"
    action_server_url: str = "http://127.0.0.1:5055/webhook"
    # The action server (actions/server.py): where it listens, and the token Rasa must send it
    # (ACTION_SERVER_TOKEN, the same value for Rasa and the action server; empty: none asked).
    action_host: str = "127.0.0.1"
    action_port: int = 5055
    action_token: str = ""
    rasa_timeout_s: float = 15.0
    # Admission control (issue 19, bot/rasa_client.py): user messages in flight at once to each Rasa
    # server; one past the bound is acknowledged at once ("nhiều người đang nhắn…") and waits its
    # turn, in arrival order, at most ``rasa_admission_wait_s`` before it is sent anyway.
    rasa_max_in_flight: int = 4
    rasa_admission_wait_s: float = 10.0
    # The longest a channel's request waits for its first reply; then the person is told to wait a
    # moment and every answer follows through the channel's push (bot/router.py).
    reply_wait_s: float = 5.0
    # Non-urgent messages a gateway works on at once; the others wait for a place in arrival order,
    # so that in a spike an urgent message competes with these few, not with hundreds (bot/router.py).
    max_active_turns: int = 16
    # Token of Rasa's HTTP API (pause/resume a conversation during a handoff); empty: not used.
    rasa_token: str = ""
    # Longest message accepted; the NLU reads the first 2000 characters of it
    # (bot/rasa_client.py, tools/triage.py) and the urgency detector all of it.
    max_message_chars: int = 20_000
    max_sender_chars: int = 128
    # A request body not received within this many seconds is answered 408 (shared/http_limits.py).
    body_timeout_s: float = 10.0
    # Handoff: live state in Redis, durable transcripts in SQL.
    redis_url: str = "redis://127.0.0.1:6379/0"
    # Connections this process opens to Redis at most; a command waits for a free one. Web long
    # polls (which hold one each while they wait) are bounded well below it, in all and per sender.
    redis_max_connections: int = 100
    max_long_polls: int = 60
    max_long_polls_per_sender: int = 2
    database_url: str = f"sqlite:///{ROOT / 'var' / 'hotline.sqlite3'}"
    # Which line this deployment is (data/directory.yml "profiles"): "call us" in every text.
    profile: str = "national"
    # Seconds a claimed case may stay unacknowledged, and without console heartbeat,
    # before it goes back to the head of the queue.
    ack_timeout_s: float = 120.0
    heartbeat_timeout_s: float = 45.0
    # A critical case unclaimed this long alerts supervisors and re-sends the safety message.
    critical_alert_s: float = 60.0
    # Above this many waiting cases, non-critical users are offered the phone line and a callback.
    queue_overflow: int = 10
    queue_ageing: Dict[str, float] = field(default_factory=lambda: {"normal": 300.0, "high": 900.0})
    counsellor_capacity: int = 3
    # A case in a language other than Vietnamese is offered first to the counsellors online who speak
    # it; after this long (or at once when none is online) to everyone (handoff/language_offer.py).
    language_offer_wait_s: float = 120.0
    watchdog_interval_s: float = 2.0
    session_ttl_s: int = 8 * 3600
    # A transcript left unread this long is opened anew: its next read is audited again
    # (handoff/reads.py; reads while it stays open write no further entry).
    audit_read_window_s: int = 1800
    # The longest wait failed sign-ins can impose on an address or an account (handoff/signin.py).
    signin_max_wait_s: float = 900.0
    # A counsellor message this long after the user last wrote is a follow-up the user did not
    # prompt: the console shows the user's safe-contact answer first, and a "no" blocks it.
    follow_up_after_s: float = 1800.0
    # Telegram: mode "webhook" (our /webhooks/telegram), "polling" (a laptop without a public URL) or "off".
    telegram_token: str = ""
    telegram_secret: str = ""
    telegram_mode: str = "off"
    telegram_api_url: str = "https://api.telegram.org"
    # A Telegram chat (group) of supervisors, told when a critical case waits unclaimed; empty: not used.
    telegram_supervisor_chat: str = ""
    # Zalo Official Account: app id, the OA secret key (webhook signatures), the app secret key
    # (token refresh), the first tokens (later ones live in Redis), and the API base URLs.
    zalo_app_id: str = ""
    zalo_oa_secret: str = ""
    zalo_app_secret: str = ""
    zalo_access_token: str = ""
    zalo_refresh_token: str = ""
    zalo_api_url: str = "https://openapi.zalo.me"
    zalo_oauth_url: str = "https://oauth.zaloapp.com"
    # Webhook events older (or newer) than this are refused as replays.
    zalo_max_skew_s: float = 300.0
    # Facebook Messenger (Meta's Messenger Platform): the page access token (Send API), the app
    # secret (X-Hub-Signature-256 of each webhook POST), the verify token we chose when registering
    # the webhook, and the Graph API base URL with its version. On only when all three are set.
    messenger_page_token: str = ""
    messenger_app_secret: str = ""
    messenger_verify_token: str = ""
    messenger_api_url: str = "https://graph.facebook.com/v21.0"
    # SMS through Kannel: its sendsms interface and user, our short number, the shared key that
    # Kannel's get-url and dlr-url carry, where Kannel reaches us for delivery reports, and the
    # coding: "gsm" folds Vietnamese to GSM-7 without diacritics (160 a part), "ucs2" keeps them (70).
    kannel_sendsms_url: str = ""
    kannel_username: str = ""
    kannel_password: str = ""
    sms_from: str = ""
    sms_key: str = ""
    sms_dlr_url: str = ""
    sms_coding: str = "gsm"
    sms_max_parts: int = 6
    # Transcripts older than this are anonymised by the daily retention job (handoff/retention.py).
    retention_days: float = 180.0
    # The anonymised case export (handoff/case_export.py) blanks any value, and then any
    # combination, of its quasi-identifiers held by fewer cases than this; 11 is the Counter
    # Trafficking Data Collaborative's k. Raise it for a small line rather than lower it.
    case_export_min_cell: int = 11
    # Error reports (shared/errors.py); off when empty.
    sentry_dsn: str = ""
    sentry_environment: str = "production"
    # Outbound sends to a provider: attempts and the first backoff (doubling).
    send_attempts: int = 4
    send_backoff_s: float = 0.5
    # A sender writing more than this many messages a minute is slowed down (urgent ones always pass).
    rate_limit_per_min: int = 20
    # New web conversations a minute from one address, and from everywhere, beyond which they are
    # grouped into a burst for the supervisor (handoff/bursts.py); still answered and queued.
    new_conversations_per_address: int = 6
    new_conversations_total: int = 120
    # Secure cookies need HTTPS; "auto" sets the flag whenever the request came over HTTPS.
    cookie_secure: str = "auto"
    # Behind our own reverse proxy (docs/deploy.md): take the scheme from X-Forwarded-Proto, so
    # that origin checks and Secure cookies see the HTTPS the browser used. Never when exposed directly.
    trust_proxy: bool = False

    @classmethod
    def from_env(cls, env: Optional[Mapping[str, str]] = None) -> "Config":
        env = os.environ if env is None else env
        d = cls()
        return cls(
            host=env.get("GATEWAY_HOST", d.host),
            port=int(env.get("GATEWAY_PORT", d.port)),
            rasa_url=env.get("RASA_URL", d.rasa_url).rstrip("/"),
            rasa_timeout_s=float(env.get("RASA_TIMEOUT_S", d.rasa_timeout_s)),
            rasa_max_in_flight=int(env.get("RASA_MAX_IN_FLIGHT", d.rasa_max_in_flight)),
            rasa_admission_wait_s=float(env.get("RASA_ADMISSION_WAIT_S", d.rasa_admission_wait_s)),
            reply_wait_s=float(env.get("REPLY_WAIT_S", d.reply_wait_s)),
            max_active_turns=int(env.get("MAX_ACTIVE_TURNS", d.max_active_turns)),
            rasa_token=env.get("RASA_TOKEN", d.rasa_token),
            rasa_servers=int(env.get("RASA_SERVERS", d.rasa_servers)),
            rasa_port=int(env.get("RASA_PORT", d.rasa_port)),
            tracker_store_url=env.get("TRACKER_STORE_URL", d.tracker_store_url),
            rasa_host=env.get("RASA_HOST", d.rasa_host),
            action_server_url=env.get("ACTION_SERVER_URL", d.action_server_url),
            action_host=env.get("ACTION_HOST", d.action_host),
            action_port=int(env.get("ACTION_PORT", d.action_port)),
            action_token=env.get("ACTION_SERVER_TOKEN", d.action_token),
            max_message_chars=int(env.get("MAX_MESSAGE_CHARS", d.max_message_chars)),
            body_timeout_s=float(env.get("BODY_TIMEOUT_S", d.body_timeout_s)),
            redis_url=env.get("REDIS_URL", d.redis_url),
            redis_max_connections=int(env.get("REDIS_MAX_CONNECTIONS", d.redis_max_connections)),
            max_long_polls=int(env.get("MAX_LONG_POLLS", d.max_long_polls)),
            max_long_polls_per_sender=int(env.get("MAX_LONG_POLLS_PER_SENDER", d.max_long_polls_per_sender)),
            database_url=env.get("DATABASE_URL", d.database_url),
            profile=env.get("HOTLINE_PROFILE", d.profile),
            ack_timeout_s=float(env.get("HANDOFF_ACK_TIMEOUT_S", d.ack_timeout_s)),
            heartbeat_timeout_s=float(env.get("HANDOFF_HEARTBEAT_TIMEOUT_S", d.heartbeat_timeout_s)),
            critical_alert_s=float(env.get("HANDOFF_CRITICAL_ALERT_S", d.critical_alert_s)),
            queue_overflow=int(env.get("HANDOFF_QUEUE_OVERFLOW", d.queue_overflow)),
            queue_ageing=parse_ageing(env["QUEUE_AGEING"]) if "QUEUE_AGEING" in env else d.queue_ageing,
            counsellor_capacity=int(env.get("COUNSELLOR_CAPACITY", d.counsellor_capacity)),
            language_offer_wait_s=float(env.get("LANGUAGE_OFFER_WAIT_S", d.language_offer_wait_s)),
            watchdog_interval_s=float(env.get("HANDOFF_WATCHDOG_INTERVAL_S", d.watchdog_interval_s)),
            session_ttl_s=int(env.get("SESSION_TTL_S", d.session_ttl_s)),
            audit_read_window_s=int(env.get("AUDIT_READ_WINDOW_S", d.audit_read_window_s)),
            signin_max_wait_s=float(env.get("SIGNIN_MAX_WAIT_S", d.signin_max_wait_s)),
            follow_up_after_s=float(env.get("FOLLOW_UP_AFTER_S", d.follow_up_after_s)),
            cookie_secure=env.get("COOKIE_SECURE", d.cookie_secure),
            trust_proxy=env.get("TRUST_PROXY", "") in ("1", "true", "yes"),
            telegram_token=env.get("TELEGRAM_TOKEN", d.telegram_token),
            telegram_secret=env.get("TELEGRAM_SECRET", d.telegram_secret),
            telegram_mode=env.get("TELEGRAM_MODE", "webhook" if env.get("TELEGRAM_TOKEN") else d.telegram_mode),
            telegram_api_url=env.get("TELEGRAM_API_URL", d.telegram_api_url).rstrip("/"),
            telegram_supervisor_chat=env.get("TELEGRAM_SUPERVISOR_CHAT", d.telegram_supervisor_chat),
            zalo_app_id=env.get("ZALO_APP_ID", d.zalo_app_id),
            zalo_oa_secret=env.get("ZALO_OA_SECRET", d.zalo_oa_secret),
            zalo_app_secret=env.get("ZALO_APP_SECRET", d.zalo_app_secret),
            zalo_access_token=env.get("ZALO_ACCESS_TOKEN", d.zalo_access_token),
            zalo_refresh_token=env.get("ZALO_REFRESH_TOKEN", d.zalo_refresh_token),
            zalo_api_url=env.get("ZALO_API_URL", d.zalo_api_url).rstrip("/"),
            zalo_oauth_url=env.get("ZALO_OAUTH_URL", d.zalo_oauth_url).rstrip("/"),
            zalo_max_skew_s=float(env.get("ZALO_MAX_SKEW_S", d.zalo_max_skew_s)),
            messenger_page_token=env.get("MESSENGER_PAGE_TOKEN", d.messenger_page_token),
            messenger_app_secret=env.get("MESSENGER_APP_SECRET", d.messenger_app_secret),
            messenger_verify_token=env.get("MESSENGER_VERIFY_TOKEN", d.messenger_verify_token),
            messenger_api_url=env.get("MESSENGER_API_URL", d.messenger_api_url).rstrip("/"),
            kannel_sendsms_url=env.get("KANNEL_SENDSMS_URL", d.kannel_sendsms_url),
            kannel_username=env.get("KANNEL_USERNAME", d.kannel_username),
            kannel_password=env.get("KANNEL_PASSWORD", d.kannel_password),
            sms_from=env.get("SMS_FROM", d.sms_from),
            sms_key=env.get("SMS_KEY", d.sms_key),
            sms_dlr_url=env.get("SMS_DLR_URL", d.sms_dlr_url),
            sms_coding=env.get("SMS_CODING", d.sms_coding),
            sms_max_parts=int(env.get("SMS_MAX_PARTS", d.sms_max_parts)),
            retention_days=float(env.get("RETENTION_DAYS", d.retention_days)),
            case_export_min_cell=int(env.get("CASE_EXPORT_MIN_CELL", d.case_export_min_cell)),
            sentry_dsn=env.get("SENTRY_DSN", d.sentry_dsn),
            sentry_environment=env.get("SENTRY_ENVIRONMENT", d.sentry_environment),
            send_attempts=int(env.get("SEND_ATTEMPTS", d.send_attempts)),
            send_backoff_s=float(env.get("SEND_BACKOFF_S", d.send_backoff_s)),
            rate_limit_per_min=int(env.get("RATE_LIMIT_PER_MIN", d.rate_limit_per_min)),
            new_conversations_per_address=int(env.get("NEW_CONVERSATIONS_PER_ADDRESS",
                                                      d.new_conversations_per_address)),
            new_conversations_total=int(env.get("NEW_CONVERSATIONS_TOTAL", d.new_conversations_total)),
        )

    @property
    def messenger_enabled(self) -> bool:
        return bool(self.messenger_page_token and self.messenger_app_secret and self.messenger_verify_token)

    def with_(self, **changes) -> "Config":
        return replace(self, **changes)
