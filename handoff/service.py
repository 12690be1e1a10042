"""The handoff: the parts the gateway, the Rasa actions and the console use, made once and
held together (a composition root; each part is a module by domain object).

  handoff.conversations  a channel user's conversation, its live state, legal basis   conversations.py
  handoff.transcript     messages stored and shown live                               transcript.py
  handoff.queue          escalation, the order of the line, what a person in line hears queue.py
  handoff.claims         claim, take over, reassign, requeue, close                   claims.py
  handoff.transfers      to another counsellor or back to the queue                   transfers.py
  handoff.replies        a counsellor's replies and notes                             replies.py
  handoff.intake         the intake form's answers, the survey                        intake.py
  handoff.blocking       restricting an abusive sender                                blocking.py
  handoff.presence       counsellors online, away, offline                            presence.py
  handoff.watchdog       requeues and alerts                                          watchdog.py
  handoff.notices        telling the person, delivery reports                         notices.py
  handoff.spool          the store's writes kept in Redis while SQL is away            spool.py

A state change is made atomically in Redis (handoff/lua/), then recorded once
(``handoff.events.record_event``, handoff/events.py); its listeners, added here in this
order, update the consoles, pause or resume Rasa, tell the person and alert supervisors.
"""
from __future__ import annotations

from typing import Awaitable, Callable, Optional

from redis.asyncio import Redis

from directory import Directory, default_directory
from handoff.blocking import Blocking
from handoff.bot_pause import BotControl, BotPause
from handoff.claims import Claims
from handoff.conversations import Conversations
from handoff.events import Events
from handoff.authors import Names
from handoff.intake import Intake, Known
from handoff.keys import Keys
from handoff.listeners import Consoles, PersonNotices, SupervisorAlerts
from handoff.notices import Deliver, Notices
from handoff.presence import Presence
from handoff.queue import Queue
from handoff.reads import Reads
from handoff.cases import ReferredCases
from handoff.replies import Replies
from handoff.spool import Spool, SpooledStore
from handoff.store import Store
from handoff.transcript import Transcript
from handoff.transfers import Transfers
from handoff.watchdog import Watchdog
from shared.config import Config


class Handoff:
    def __init__(self, redis: Redis, store: Store, config: Config, deliver: Optional[Deliver] = None,
                 bot: Optional[BotControl] = None, prefix: str = "hl:",
                 alert_supervisors: Optional[Callable[[str], Awaitable[None]]] = None,
                 directory: Optional[Directory] = None) -> None:
        # Fills in the numbers of the hotline's own texts (handoff/texts.py holds placeholders).
        self.directory = directory or default_directory(config.profile)
        self.keys = Keys(prefix)
        # The message path's writes wait in Redis while SQL is away (handoff/spool.py).
        self.spool = Spool(redis, self.keys, store)
        store = SpooledStore(store, self.spool)
        self.redis, self.store, self.config = redis, store, config
        self.events = Events(store)
        self.conversations = Conversations(redis, store, self.keys, self.events)
        self.transcript = Transcript(redis, store, self.keys, self.conversations, self.directory)
        self.notices = Notices(self.conversations, self.transcript, self.events, self.directory, deliver)
        self.consoles = Consoles(redis, self.keys)
        self.presence = Presence(redis, config, self.keys, self.consoles)
        self.queue = Queue(redis, store, config, self.keys, self.conversations, self.events, self.presence,
                           self.directory)
        self.claims = Claims(redis, store, config, self.keys, self.conversations, self.events, self.queue,
                             self.consoles)
        self.transfers = Transfers(redis, config, self.keys, self.events, self.claims, self.transcript)
        self.names = Names(store)
        self.replies = Replies(store, config, self.claims, self.transcript, self.notices, self.names)
        self.intake = Intake(store, self.conversations, self.events)
        self.reads = Reads(redis, self.keys, config.audit_read_window_s)  # the audit's openings
        self.blocking = Blocking(redis, store, self.keys, self.conversations, self.events)
        self.watchdog = Watchdog(redis, config, self.keys, self.conversations, self.events, self.queue,
                                 self.claims, self.presence)
        self.bot_pause = BotPause(self.conversations, bot)
        self.supervisor_alerts = SupervisorAlerts(alert_supervisors)
        person = PersonNotices(self.notices, self.names, Known(store))
        for listener in (self.consoles, self.bot_pause, person, self.supervisor_alerts, ReferredCases(store)):
            self.events.listen(listener)
