"""One user message in, the bot's replies out; the same for every channel.

The urgency detector runs first and on its own, so a message saying someone is in
danger gets the safety answer even when Rasa is down or misreads it.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import List, Tuple

from actions.directory import SAFETY_OPENING, ServiceDirectory
from bot.rasa_client import RasaClient, RasaUnavailable
from nlu.urgency import CRITICAL, Urgency, UrgencyDetector

logger = logging.getLogger(__name__)


@dataclass
class Router:
    rasa: RasaClient
    detector: UrgencyDetector
    directory: ServiceDirectory

    async def handle(self, sender: str, text: str) -> Tuple[List[str], Urgency]:
        urgency = self.detector.assess(text)
        try:
            replies = await self.rasa.send(sender, text)
        except RasaUnavailable as error:
            # Log the fault, never the message.
            logger.warning("rasa unavailable (%s); answering from the gateway", error)
            replies = [] if urgency.level == CRITICAL else [self.directory.unavailable_message()]
        if urgency.level == CRITICAL and not any(r.startswith(SAFETY_OPENING) for r in replies):
            replies.insert(0, self.directory.safety_message())
        return replies, urgency
