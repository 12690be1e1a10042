"""The trained classifier scores with NumPy alone, exactly as scikit-learn would."""
import subprocess
import sys

import numpy as np
from scipy.sparse import hstack

from tools.model import ROOT
from nlu import corpus
from nlu.text import folded_view
from nlu.text_classifier import TextClassifier


class Levels(TextClassifier):
    labels = ("critical", "high", "normal")


def test_scores_match_scikit_learns_on_messages_it_never_saw():
    train, held = corpus.split(corpus.triage_corpus())
    train, held = train[:1500], held[:300]
    views = [folded_view(m.text) for m in train]
    ours = Levels(c=16, balanced=True).fit(views, [m.urgency for m in train])

    words, chars, classifier = TextClassifier.sklearn_parts(16, True)
    classifier.fit(hstack([words.fit_transform(views), chars.fit_transform(views)]).tocsr(), [m.urgency for m in train])
    unseen = [folded_view(m.text) for m in held] + ["", "a", "cứu   em\t\tvới", "x" * 3000, "bị|nhốt ở  Bavet"]
    theirs = classifier.predict_proba(hstack([words.transform(unseen), chars.transform(unseen)]).tocsr())
    for view, row in zip(unseen, theirs):
        mine = ours.probabilities(view)
        assert np.allclose([mine[c] for c in classifier.classes_], row, atol=1e-9), view


def test_a_process_that_only_scores_never_imports_scikit_learn():
    from nlu import category_training, urgency_training

    urgency_training.ensure_model(), category_training.default_model()  # trained here if they were not
    code = ("import sys; from nlu.urgency import default_detector; from nlu import category_training; "
            "d = default_detector(); category_training.default_model(); "
            "d.assess('họ nhốt em ở Bavet'); print(any(m.split('.')[0] in ('sklearn', 'scipy') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300,
                         env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "False"


def test_a_saved_model_scores_the_same_in_another_process(tmp_path):
    # The vocabulary is kept by Python's hash, which differs from process to process: a model
    # saved here and loaded elsewhere must find every feature again.
    import json

    from nlu.text_classifier import save

    train = corpus.split(corpus.triage_corpus())[0][:600]
    ours = Levels(c=16, balanced=True).fit([folded_view(m.text) for m in train], [m.urgency for m in train])
    save(ours, tmp_path / "levels.joblib")
    views = [folded_view(t) for t in ("họ nhốt em ở Bavet", "cho em hỏi visa Nhật", "", "cứu em với")]
    code = ("import json, sys, joblib; sys.path.insert(0, sys.argv[2]); from tests.nlu.test_text_classifier import Levels; "
            "m = joblib.load(sys.argv[1]); print(json.dumps([m.probabilities(v) for v in json.loads(sys.argv[3])]))")
    for seed in ("1", "2"):
        out = subprocess.run([sys.executable, "-c", code, str(tmp_path / "levels.joblib"), str(ROOT), json.dumps(views)],
                             cwd=ROOT, capture_output=True, text=True, timeout=120,
                             env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "PYTHONHASHSEED": seed})
        assert out.returncode == 0, out.stderr[-2000:]
        for view, theirs in zip(views, json.loads(out.stdout)):
            mine = ours.probabilities(view)
            assert all(abs(mine[k] - theirs[k]) < 1e-12 for k in mine), view
    assert ours.probabilities(views[0])["critical"] > ours.probabilities(views[1])["critical"]
