"""The urgency model is trained once per data and code, cached in models/, and never sees held-out text."""
import pytest

from nlu import text_classifier, urgency_model, urgency_training


def test_the_fingerprint_follows_every_input(tmp_path):
    a, b = tmp_path / "a.jsonl", tmp_path / "b.yml"
    a.write_text("one\n")
    b.write_text("two\n")
    first = urgency_model.fingerprint([a, b])
    assert urgency_model.fingerprint([b, a]) == first  # order does not matter
    a.write_text("one changed\n")
    assert urgency_model.fingerprint([a, b]) != first


def test_a_trained_model_is_saved_once_and_then_loaded(tmp_path, monkeypatch):
    monkeypatch.setattr(text_classifier, "MODELS_DIR", tmp_path)
    examples = [("họ nhốt em trong phòng, không cho về", "critical"), ("xin chào", "normal"),
                ("anh tôi đi Lào, mất liên lạc một tuần", "high"), ("cứu với bài tập khó quá", "normal")] * 3
    monkeypatch.setattr(urgency_training, "training_examples", lambda train=None: examples)
    first = urgency_training.ensure_model()
    [saved] = list(tmp_path.glob("urgency-*.joblib"))
    assert saved == urgency_training.model_path()

    def no_training(*args, **kwargs):
        raise AssertionError("trained again")

    monkeypatch.setattr(urgency_training, "train", no_training)
    again = urgency_training.ensure_model()
    view = "ho nhot em trong phong"
    assert again.probabilities(view) == pytest.approx(first.probabilities(view))
    assert max(again.probabilities(view), key=again.probabilities(view).get) == "critical"


def test_a_file_that_is_not_a_model_is_refused_and_trained_again(tmp_path, monkeypatch):
    import joblib

    path = tmp_path / "urgency-x.joblib"
    joblib.dump({"not": "a model"}, path)
    with pytest.raises(TypeError):
        urgency_model.load(path)
    monkeypatch.setattr(text_classifier, "MODELS_DIR", tmp_path)
    monkeypatch.setattr(urgency_training, "training_examples",
                        lambda train=None: [("bị nhốt", "critical"), ("chào", "normal"), ("mất liên lạc", "high")] * 2)
    urgency_training.model_path().write_bytes(b"half a file")
    assert isinstance(urgency_training.ensure_model(), urgency_model.UrgencyModel)
    assert urgency_model.load(urgency_training.model_path())  # replaced by a good one
