"""The triage corpus: labels that follow the contract, and a held-out split nothing trains on."""
import tempfile
from pathlib import Path

import yaml

from tools import model as model_module
from tools.triage import CATEGORIES
from nlu import category_training, corpus, urgency_training
from nlu.urgency import LEVELS


def test_every_message_is_labelled_as_the_triage_contract_says():
    messages = corpus.triage_corpus()
    assert len(messages) >= 1000
    messages += corpus.read_jsonl(corpus.URGENCY_MORE)  # the urgency model's own, labelled the same way
    known = model_module._known_intents()
    for m in messages:
        assert m.text.strip() and m.urgency in LEVELS and m.category in CATEGORIES, m.text
        # critical is a rescue case, and a rescue case is critical
        assert (m.urgency == "critical") == (m.category == "urgent_rescue"), m.text
        assert m.intent in known and set(m.accept) <= set(CATEGORIES), m.text
    assert sum(m.urgency == "critical" for m in messages) >= 300


def test_the_held_out_split_is_a_stable_quarter_that_never_trains():
    messages = corpus.triage_corpus()
    train, held = corpus.split(messages)
    assert 0.2 < len(held) / len(messages) < 0.3
    assert corpus.split(list(reversed(messages)))[1] == list(reversed(held))  # by text, not by position
    held_texts = {m.text for m in held}
    assert not held_texts & {text for text, _ in urgency_training.training_examples()}
    assert not held_texts & {text for text, _ in category_training.training_examples()}
    with tempfile.TemporaryDirectory() as directory:
        written = yaml.safe_load(model_module.corpus_as_nlu(Path(directory)).read_text(encoding="utf-8"))
    rasa_texts = {line[2:] for block in written["nlu"] for line in block["examples"].splitlines()}
    assert len(rasa_texts) > 0.9 * len(train)
    assert not {" ".join(t.split()) for t in held_texts} & rasa_texts


def test_a_bad_line_is_named_without_its_content(tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_text('{"text": "a", "urgency": "normal", "category": "smalltalk"}\n{"text": "bí mật"}\n',
                    encoding="utf-8")
    try:
        corpus.read_jsonl(path)
    except ValueError as error:
        assert "line 2" in str(error) and "bí mật" not in str(error)
    else:
        raise AssertionError("a line without labels was accepted")
