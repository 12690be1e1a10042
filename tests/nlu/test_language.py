"""Language detection (nlu/language.py): scripts, English, Hmong, and Vietnamese however it is
written, which must never be taken for another language."""
import glob
import json

import pytest

from nlu.language import ENGLISH_WORDS, LANGUAGES, WORD, detect
from nlu.text import fold

pytestmark = pytest.mark.shared


@pytest.mark.parametrize("text, language", [
    ("ជួយខ្ញុំផង ខ្ញុំត្រូវគេចាប់ឃុំនៅក្នុងផ្ទះ", "km"),
    ("ຊ່ວຍຂ້ອຍແດ່ ຂ້ອຍຖືກກັກຂັງຢູ່ໃນເຮືອນ", "lo"),
    ("ช่วยด้วย ฉันถูกขังอยู่ในบ้าน เขายึดพาสปอร์ตไป", "th"),
    ("ကူညီပါ ကျွန်မကို အခန်းထဲမှာ ပိတ်ထားတယ်", "my"),
    ("救救我，我被关起来了，他们拿走了我的护照", "zh"),
    ("Thov pab kuv, lawv kaw kuv hauv tsev, kuv tsis tau mus tsev", "hmn"),
    ("kuv ntshai heev, tus neeg coj kuv mus Suav teb", "hmn"),
    ("please help me, they took my passport and locked the door", "en"),
    ("Hi, is this the hotline? My sister went to Malaysia for a job and we cannot reach her", "en"),
    ("cuu e, e bi nhot o cty ben cam", "vi"),
    ("cứu với, bài tập khó quá", "vi"),
    ("help e voi, e bi nhot", "vi"),
    ("ok", "vi"),
    ("", "vi"),
    ("113", "vi"),
    ("😭😭", "vi"),
])
def test_each_language_is_told_by_its_own_signs(text, language):
    assert detect(text) == language


def test_vietnamese_however_written_stays_vietnamese():
    """Every Vietnamese message of the triage corpus and the held-out sets, as written and without
    its diacritics: none is taken for another language (those in English are English)."""
    texts = []
    for path in glob.glob("data/triage/corpus/*.jsonl") + glob.glob("data/holdout/*.jsonl"):
        with open(path, encoding="utf-8") as f:
            texts += [json.loads(line)["text"] for line in f if line.strip()]
    vietnamese = [t for t in texts if detect(t) == "vi"]
    assert len(vietnamese) > 0.9 * len(texts)
    # Without diacritics too; a message mostly in English with "em ơi" in it may go either way.
    plain = [t for t in vietnamese if sum(w in ENGLISH_WORDS for w in WORD.findall(fold(t).lower())) <= 2]
    assert len(plain) > 0.9 * len(vietnamese)
    others = [t for t in plain if detect(fold(t)) != "vi"]
    assert not others, others[:5]
    assert not [t for t in texts if detect(t) not in ("vi", "en")]  # nothing here is Hmong, Khmer…
    assert set(LANGUAGES) >= {"vi", "en", "km", "lo", "th", "my", "zh", "hmn"}
