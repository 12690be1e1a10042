"""An explicit request for a person ("cho em gặp tư vấn viên", "muon noi chuyen voi nguoi that").

Rasa's ``human_request`` intent usually takes these to a counsellor, but a message that also asks
a question ("họ giữ hộ chiếu, em muốn gặp tư vấn viên") can be read as that question instead, and
one training run differs from the next there. Someone who asks for a person must always reach one,
so the gateway checks this itself before Rasa answers (bot/router.py), as the urgency lexicon is
a floor under the model. Matched on the folded view (no diacritics, teencode expanded).
"""
from __future__ import annotations

import re

from nlu.text import folded_view

# a verb of wanting or meeting, then within a few words someone of the line
_ASKS = re.compile(
    r"\b(gap|noi chuyen|nt|nhan tin|chat|trao doi|ket noi|chuyen|can|muon|xin|cho)\b(\s+\w+){0,4}?\s+"
    r"(tu van vien|tvv|nguoi that|nhan vien tu van|chuyen vien|can bo tu van|nguoi tu van)\b"
    r"|\b(talk|speak|chat) to (a )?(human|person|counsellor|counselor|real person)\b")
# ... but not a question about them ("tư vấn viên làm việc mấy giờ", "có tư vấn viên không")
_ABOUT = re.compile(r"(tu van vien|tvv) (lam viec|truc|co may|la ai)|co tu van vien (khong|ko)\b")


def asks_for_a_person(text: str) -> bool:
    folded = folded_view(text)
    return bool(_ASKS.search(folded)) and not _ABOUT.search(folded)
