"""`python -m bot triage`, run as the evaluation runs it (../shared/eval/README.md)."""
import json
import subprocess
import sys

import pytest

from tools.model import ROOT, rasa_env
from tools.triage import CATEGORIES
from tests.conftest import TRIAGE_SAMPLE

# Rasa in this process: Rasa's runtime only (tests/conftest.py).
pytestmark = pytest.mark.rasa_runtime


def run_triage(model, stdin: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot", "triage", "--model", str(model)], input=stdin,
                          capture_output=True, text=True, cwd=ROOT, env=rasa_env(), timeout=600)


@pytest.fixture(scope="module")
def sample_run(model):
    lines = TRIAGE_SAMPLE.read_text(encoding="utf-8")
    # the same messages typed without diacritics, as many people write them
    from nlu.text import fold
    folded = "".join(json.dumps({**json.loads(l), "text": fold(json.loads(l)["text"])}, ensure_ascii=False) + "\n"
                     for l in lines.splitlines())
    result = run_triage(model, lines + folded)
    assert result.returncode == 0, result.stderr[-2000:]
    gold = [json.loads(l) for l in (lines + folded).splitlines()]
    return gold, [json.loads(l) for l in result.stdout.splitlines()]


def test_output_follows_the_contract(sample_run):
    gold, out = sample_run
    assert len(out) == len(gold)
    for g, o in zip(gold, out):
        assert o["text"] == g["text"]
        assert o["urgency"] in {"critical", "high", "normal"}
        assert o["category"] in CATEGORIES
        assert isinstance(o["intent"], str) and 0.0 <= o["confidence"] <= 1.0
        assert isinstance(o["reasons"], list) and all(isinstance(r, str) for r in o["reasons"])


def test_no_critical_message_is_missed_and_few_false_alarms(sample_run):
    gold, out = sample_run
    critical = [o for g, o in zip(gold, out) if g["urgency"] == "critical"]
    assert critical and all(o["urgency"] == "critical" for o in critical)
    normal = [o for g, o in zip(gold, out) if g["urgency"] == "normal"]
    assert sum(o["urgency"] == "critical" for o in normal) <= 0.05 * len(normal)
    for g, o in zip(gold, out):
        if g["urgency"] != "normal":
            assert o["urgency"] != "normal", g["text"]
            assert o["reasons"], g["text"]


def test_category_accuracy_accented_and_folded(sample_run):
    gold, out = sample_run
    half = len(gold) // 2
    for part in (slice(0, half), slice(half, None)):
        pairs = list(zip(gold[part], out[part]))
        right = sum(o["category"] == g["category"] or o["category"] in g["accept"] for g, o in pairs)
        assert right / len(pairs) >= 0.85


def test_bad_lines_get_an_error_line_and_do_not_stop_the_run(model):
    stdin = '{"text": "xin chào"}\nnot json\n{"no_text": 1}\n\n{"text": ""}\n{"text": "cứu em"}\n'
    result = run_triage(model, stdin)
    out = [json.loads(l) for l in result.stdout.splitlines()]
    assert [("error" in o) for o in out] == [False, True, True, False, False]
    assert "not json" not in result.stdout  # errors never echo content
    assert out[-1]["urgency"] == "critical"
    assert out[3]["urgency"] == "normal" and "nlu_unavailable" in out[3]["reasons"]
    assert result.returncode == 1


CONTEXT = [
    # (message, urgency, category): a keyword detector gets each of these wrong
    ("cứu với, bài tập khó quá, mai nộp rồi", "normal", None),
    ("Em từng bị bán sang Trung Quốc năm 2018, giờ về quê rồi, cho em hỏi có được hỗ trợ học nghề không ạ",
     "normal", "victim_support"),
    ("tối nay bọn nó đưa cả nhóm bọn em qua sông sang bên kia, em sợ lắm", "critical", "urgent_rescue"),
]


def test_triage_reads_context_not_keywords(model):
    stdin = "".join(json.dumps({"text": t}, ensure_ascii=False) + "\n" for t, _, _ in CONTEXT)
    result = run_triage(model, stdin)
    out = [json.loads(l) for l in result.stdout.splitlines()]
    for (text, urgency, category), o in zip(CONTEXT, out):
        assert o["urgency"] == urgency, text
        assert category is None or o["category"] == category, text
    assert "past" in out[1]["reasons"]  # why the signal ("bị bán") was lowered
