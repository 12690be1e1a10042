"""Which language a message is written in, without any model or download (issue 18).

Vietnamese is the answer unless the message clearly is something else, because nearly everyone
writes Vietnamese, often without diacritics and in teencode, and a Vietnamese speaker answered in
English would be lost. So:

- **By script**: Khmer, Lao, Thai, Burmese and Chinese each have their own letters; a message
  whose letters are mostly of one of these scripts is in that language.
- **Latin letters**:
  - Vietnamese diacritics (đ, ư, ơ, tone marks) decide at once.
  - **Hmong** in the RPA alphabet: its syllables end in tone letters (-b, -j, -v, -s, -g, -m, -d)
    after vowels Vietnamese does not double (``neeg``, ``zoo``), and its consonant clusters
    (``ntx``, ``tsh``, ``qh``, ``xy``) are not Vietnamese; common words (``kuv``, ``pab``, ``thov``).
  - **English**: its function words (the, my, they, please, help), with no Vietnamese ones.

The sets below were written for this, not learnt; tests/nlu/test_language.py holds Vietnamese
written every way people write it (the triage corpus), which must all stay Vietnamese.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Dict, Tuple

VIETNAMESE, ENGLISH, HMONG = "vi", "en", "hmn"
KHMER, LAO, THAI, BURMESE, CHINESE = "km", "lo", "th", "my", "zh"
LANGUAGES = (VIETNAMESE, ENGLISH, KHMER, LAO, THAI, BURMESE, CHINESE, HMONG)

# Unicode blocks of the scripts (first, last code point).
SCRIPTS: Dict[str, Tuple[Tuple[int, int], ...]] = {
    KHMER: ((0x1780, 0x17FF), (0x19E0, 0x19FF)),
    LAO: ((0x0E80, 0x0EFF),),
    THAI: ((0x0E00, 0x0E7F),),
    BURMESE: ((0x1000, 0x109F), (0xA9E0, 0xA9FF), (0xAA60, 0xAA7F)),
    CHINESE: ((0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0xF900, 0xFAFF)),
}
SCRIPT_SHARE = 0.4  # of a message's letters

VIETNAMESE_LETTERS = set("đăâêôơư")
VIETNAMESE_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}  # grave, acute, tilde, hook, dot

ENGLISH_WORDS = frozenset("""
the a an is are am was were be been being i i'm im me my mine you your yours he she him her his they them their
we us our it its this that these those what where when how why who which please help can can't cannot could would
should will won't do does did don't didn't not no yes to of in on at for from with and or but have has had need
want work job jobs passport money go going come get got took take taken here there now very just about know tell
call police home family friend stuck trapped locked kidnapped sold forced scared afraid hello hi thanks thank
sorry anyone someone somebody boss company visa agency agent country border phone let out leave keep kept
""".split())
VIETNAMESE_WORDS = frozenset("""
toi tui em anh chi ban minh mk mik khong ko k hok hong bi cua la co duoc dc dk o nha di lam viec cho giup voi cuu
nguoi ho day gi j sao nao roi dang se da ve nuoc ngoai tien cong ty cty hoi muon can biet oi a nhe nhung va hay
thi ma nay kia rat qua lao dong xuat khau giay to ve mat den bao nhieu tai vi sang ben nhot giu lua ban e ck vk
ah uh um ak ko kh hk dang bj bn mjh ny z zay vay thoi luon nha nhe nhen ne the
""".split())
# Short words Vietnamese people type too ("hi ad ạ", "ok", "a" for "anh"): not evidence alone.
ENGLISH_WEAK = frozenset("a i im i'm hi hello no yes me to do in on at an it".split())
VIETNAMESE_WORDS = VIETNAMESE_WORDS - ENGLISH_WORDS  # "a", "to", "the": English's, when alone
HMONG_WORDS = frozenset("""
kuv koj nws peb nej lawv yog tsis muaj nyob pab thov hais tau rau los mus txog ntawm hauv neeg tus txoj kev yuav
zoo ntau nyuam tuaj tsev tub ntxhais niam txiv cov thiab lub kom xav paub qhov chaw nyiaj ntxiv sim tam ua tej
ntshai khiav raug coj tuav kaw hu tub ceev xwm nrog leej twg dab tsi li cas vim
""".split())
HMONG_CLUSTERS = re.compile(r"ntx|nts|txh|tsh|qh|xy|hny|nq|npl|dl|hm[lno]|ncaw|nch")
HMONG_DOUBLED = re.compile(r"(?:ee|oo|aa)[bjvsgmd]?$")
WORD = re.compile(r"[a-zA-Z']+")


def _script_shares(text: str) -> Dict[str, float]:
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return {}
    counts = {name: 0 for name in SCRIPTS}
    for c in letters:
        point = ord(c)
        for name, blocks in SCRIPTS.items():
            if any(lo <= point <= hi for lo, hi in blocks):
                counts[name] += 1
                break
    return {name: n / len(letters) for name, n in counts.items()}


def _has_vietnamese_marks(text: str) -> bool:
    lowered = text.lower()
    if any(c in VIETNAMESE_LETTERS for c in lowered):
        return True
    return any(c in VIETNAMESE_TONES for c in unicodedata.normalize("NFD", lowered))


def clearly_vietnamese(text: str) -> bool:
    """Vietnamese beyond doubt: with its diacritics, or two of its common words."""
    if _has_vietnamese_marks(text):
        return True
    return sum(w in VIETNAMESE_WORDS for w in WORD.findall(text.lower())) >= 2


def detect(text: str) -> str:
    """The language of ``text``: one of ``LANGUAGES``; Vietnamese when in doubt."""
    shares = _script_shares(text)
    if shares:
        script, share = max(shares.items(), key=lambda item: item[1])
        if share >= SCRIPT_SHARE:
            return script
    if _has_vietnamese_marks(text):
        return VIETNAMESE
    words = [w.strip("'") for w in WORD.findall(text.lower())]
    words = [w for w in words if w]
    if not words:
        return VIETNAMESE
    vietnamese = sum(w in VIETNAMESE_WORDS for w in words)
    english = sum(w in ENGLISH_WORDS for w in words)
    strong = sum(w in ENGLISH_WORDS and w not in ENGLISH_WEAK for w in words)
    hmong = sum(w in HMONG_WORDS or bool(HMONG_CLUSTERS.search(w)) or bool(HMONG_DOUBLED.search(w))
                for w in words)
    if hmong >= 2 and hmong >= 0.4 * len(words) and hmong > vietnamese and hmong > english:
        return HMONG
    if english >= 2 and strong >= 1 and english >= 0.4 * len(words) and vietnamese * 3 <= english:
        return ENGLISH
    return VIETNAMESE
