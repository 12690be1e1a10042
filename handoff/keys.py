"""Every Redis key family of the hotline, named in one place.

Keys start with a prefix (``hl:`` by default) so that one Redis may serve other things too.

  conv:{id}                  hash    a conversation's live state: state (bot/queued/assigned),
                                     priority, channel, sender, contact, queued_at, returned,
                                     counsellor, claimed_at, ack_deadline, acked, alerted, greeted,
                                     survey, survey_contact, notice, legal_basis, intake_*, burst,
                                     do_not_contact, resume_pending, follow_up (a referral keeps
                                     the case open), language and language_told (when not Vietnamese:
                                     docs/languages.md); greeted is 0, 1 or left (docs/architecture.md)
  sender:{channel}:{user}    string  a channel user's conversation id (the pointer)
  turn:{id}                  hash    a conversation's line of messages (bot/turns.py)
  blocked:{id}               string  a restriction: until when and by whom (expires)
  blocked-told:{id}          string  the restricted sender was told lately (expires)
  slow:{id}                  string  the flooding sender was told to slow down lately (expires)
  rate:{channel}:{user}:{minute}  counter  messages of one minute (flood control)
  queue                      zset    waiting conversation ids (score: when first queued)
  assigned                   set     conversation ids with a counsellor (the watchdog walks it)
  agent:{name}               set     the conversations a counsellor holds (capacity)
  waits                      list    recent waits before a claim (the wait estimate)
  presence                   hash    counsellor -> status and last heartbeat
  alerts                     list    recent alerts for the supervisors' banner
  burst-alerted:{burst}      string  a burst alerted once (expires)
  burst:new:{channel}:{digest}:{minute}, burst:new:{channel}:all:{minute}
                             counter new conversations of one address (hashed), of the whole
                                     channel, in one minute (handoff/bursts.py)
  burst:of:{digest}, burst:of:circuit
                             string  the burst an address, or the open circuit, gathers into now
  burst:circuit              string  the open circuit: since when, its burst, its channel
  notify                     channel what consoles see live (pub/sub)
  session:{token}            string  a console session (handoff/auth.py; expires, slides while used)
  reading:{username}         string  the conversation a console user has open now, for the audit
                                     log's one entry per opening (handoff/reads.py; expires, slides)
  signin:failures-address:{digest}, signin:failures-account:{digest}
                             counter failed sign-ins of an address, of an account (an hour)
  signin:until-address:{digest}, signin:until-account:{digest}
                             string  no sign-in try before this time (handoff/signin.py)
  signin:known:{digest}      set     addresses (hashed) that signed in to an account (90 days)
  seen:{channel}:{id}        string  a provider's message already handled (bot/channels/base.py)
  web:out:{sender}           stream  the web chat's outbox (bot/channels/web.py)
  zalo:tokens, zalo:refresh-lock     Zalo's tokens, shared by the gateways (bot/channels/zalo.py)
  sms:ref:{ref}              string  an SMS's sender by its delivery reference (bot/channels/sms.py)
  spool:entries              stream  the store's writes buffered while SQL is unreachable (handoff/spool.py)
  spool:active               string  set while the buffer holds entries: writes go there, in order
  spool:seq                  counter provisional ids (negative) of rows written while SQL is away
  spool:ids                  hash    provisional id -> the id its row got in SQL (expires a day after)
  spool:lock                 string  the one process writing the buffer to SQL (expires)
  spool:failed               stream  entries SQL refused for good (kept for an operator)
  messenger:last-in:{psid}   string  when a Messenger user last wrote (epoch seconds; expires after
                                     the 7-day window): which kind of send Meta allows now
                                     (bot/channels/messenger.py)

Rasa's trackers, when Rasa keeps them in Redis, are under their own prefix ``RASA_TRACKERS``
(not ours: Rasa builds those keys; tools/launcher.py writes it in endpoints.yml).
"""
from __future__ import annotations

RASA_TRACKERS = "rasa"
BURST_KINDS = ("new", "of", "circuit")
CHANNEL_RECORDS = ("sms:ref", "messenger:last-in")
ZALO_PARTS = ("tokens", "refresh-lock")
SPOOL_PARTS = ("entries", "active", "seq", "ids", "lock", "failed")
SIGNIN_KINDS = ("failures-address", "failures-account", "until-address", "until-account", "known")


class Keys:
    def __init__(self, prefix: str = "hl:") -> None:
        self.prefix = prefix

    # --- one conversation ---------------------------------------------------------
    def conversation(self, cid: str) -> str:
        """With ``cid`` "" the prefix of every conversation's hash, for a script that completes it."""
        return f"{self.prefix}conv:{cid}"

    def pointer(self, channel: str, sender: str) -> str:
        return f"{self.prefix}sender:{channel}:{sender}"

    def turn(self, cid: str) -> str:
        return f"{self.prefix}turn:{cid}"

    def blocked(self, cid: str) -> str:
        return f"{self.prefix}blocked:{cid}"

    def blocked_told(self, cid: str) -> str:
        return f"{self.prefix}blocked-told:{cid}"

    def slowed(self, cid: str) -> str:
        return f"{self.prefix}slow:{cid}"

    def rate(self, channel: str, sender: str, minute: int) -> str:
        return f"{self.prefix}rate:{channel}:{sender}:{minute}"

    # --- the line and the counsellors ---------------------------------------------
    @property
    def queue(self) -> str:
        return f"{self.prefix}queue"

    @property
    def assigned(self) -> str:
        return f"{self.prefix}assigned"

    def agent(self, counsellor: str) -> str:
        return f"{self.prefix}agent:{counsellor}"

    @property
    def waits(self) -> str:
        return f"{self.prefix}waits"

    @property
    def presence(self) -> str:
        return f"{self.prefix}presence"

    @property
    def alerts(self) -> str:
        return f"{self.prefix}alerts"

    def burst_alerted(self, burst: str) -> str:
        return f"{self.prefix}burst-alerted:{burst}"

    def burst(self, kind: str, *parts: str) -> str:
        """``kind``: new (then channel, address digest or "all", minute), of (then address digest
        or "circuit") or circuit."""
        if kind not in BURST_KINDS:
            raise ValueError(f"no burst key family {kind!r}")
        return f"{self.prefix}burst:" + ":".join((kind, *parts))

    @property
    def notify(self) -> str:
        return f"{self.prefix}notify"

    # --- console sign-in and the channels -----------------------------------------
    def session(self, token: str) -> str:
        return f"{self.prefix}session:{token}"

    def reading(self, username: str) -> str:
        return f"{self.prefix}reading:{username}"

    def signin(self, kind: str, digest: str) -> str:
        """``kind``: failures-address, failures-account, until-address, until-account or known;
        ``digest``: the hashed address or username (the keys name no one)."""
        if kind not in SIGNIN_KINDS:
            raise ValueError(f"no sign-in key family {kind!r}")
        return f"{self.prefix}signin:{kind}:{digest}"

    def seen(self, channel: str, provider_id: str) -> str:
        return f"{self.prefix}seen:{channel}:{provider_id}"

    def web_outbox(self, sender: str) -> str:
        return f"{self.prefix}web:out:{sender}"

    def zalo(self, part: str) -> str:
        """Zalo's tokens shared by the gateways. ``part``: tokens or refresh-lock."""
        if part not in ZALO_PARTS:
            raise ValueError(f"no Zalo key {part!r}")
        return f"{self.prefix}zalo:{part}"

    def spool(self, part: str) -> str:
        """The store's outage buffer (handoff/spool.py). ``part``: entries, active, seq, ids, lock
        or failed."""
        if part not in SPOOL_PARTS:
            raise ValueError(f"no spool key {part!r}")
        return f"{self.prefix}spool:{part}"

    def channel_record(self, kind: str, ident: str) -> str:
        """What a channel keeps about one of its ids. ``kind``: sms:ref (an SMS's sender by its
        delivery reference) or messenger:last-in (when a Messenger user last wrote)."""
        if kind not in CHANNEL_RECORDS:
            raise ValueError(f"no channel key family {kind!r}")
        return f"{self.prefix}{kind}:{ident}"
