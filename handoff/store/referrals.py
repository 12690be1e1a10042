"""Referrals ("chuyển tuyến") to directory partners in SQL (``store.referrals``); what a summary
holds and its text: handoff/referrals.py."""
from __future__ import annotations

import json
import time
from typing import Any, Dict, List, Optional

import sqlalchemy as sa

from handoff.store.tables import as_dict, referrals


def _as_referral(found) -> Dict[str, Any]:
    out = as_dict(found)
    out["summary"] = json.loads(out["summary"])
    return out


class Referrals:
    def __init__(self, engine: sa.engine.Engine) -> None:
        self.engine = engine

    def add(self, conversation_id: str, contact_id: int, partner: str, kind: str, summary: Dict[str, Any],
            created_by: str) -> int:
        now = time.time()
        with self.engine.begin() as db:
            return db.execute(referrals.insert().values(
                conversation_id=conversation_id, contact_id=contact_id, partner=partner, kind=kind,
                summary=json.dumps(summary, ensure_ascii=False), status="open", outcome="", created_by=created_by,
                created_at=now, updated_at=now)).inserted_primary_key[0]

    def update(self, referral_id: int, **values: Any) -> None:
        with self.engine.begin() as db:
            db.execute(referrals.update().where(referrals.c.id == referral_id).values(updated_at=time.time(), **values))

    def get(self, referral_id: int) -> Optional[Dict[str, Any]]:
        with self.engine.connect() as db:
            found = db.execute(sa.select(referrals).where(referrals.c.id == referral_id)).first()
        return _as_referral(found) if found else None

    def of_conversation(self, conversation_id: str) -> List[Dict[str, Any]]:
        query = sa.select(referrals).where(referrals.c.conversation_id == conversation_id).order_by(referrals.c.id)
        with self.engine.connect() as db:
            return [_as_referral(r) for r in db.execute(query)]
