"""The teencode figures of `make eval` count what they say they count."""
import json

from tools.evaluate_teencode import score
from nlu.text import Teencode


def write(tmp_path, pairs):
    path = tmp_path / "pairs.jsonl"
    path.write_text("".join(json.dumps({"text": t, "norm": n}, ensure_ascii=False) + "\n" for t, n in pairs),
                    encoding="utf-8")
    return path


def test_forms_normalised_and_standard_words_changed(tmp_path):
    path = write(tmp_path, [("e ko bít", "em khong biet"), ("Tôi đi làm", "toi di lam")])
    ours = score(path)
    assert ours["nonstandard_forms"] == 3 and ours["nonstandard_normalised"] == 1.0
    assert ours["standard_words"] == 3 and ours["standard_wrongly_changed"] == 0.0
    assert ours["error_reduction"] == 1.0
    nothing = score(path, Teencode({}, {}))  # folding alone
    assert nothing["nonstandard_normalised"] == 0.0 and nothing["error_reduction"] == 0.0
    wrong = score(path, Teencode({"lam": "lan"}, {}))  # a table that breaks a standard word
    assert wrong["standard_wrongly_changed"] == 1 / 3
