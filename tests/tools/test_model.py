import shutil

from tools import model as model_module


def test_fingerprint_changes_with_training_data_only(tmp_path, monkeypatch):
    root = tmp_path / "repo"
    (root / "data").mkdir(parents=True)
    for part in ("config.yml", "domain.yml", "data/nlu", "data/dialogue", "data/lexicon", "nlu"):
        source = model_module.ROOT / part
        (shutil.copytree if source.is_dir() else shutil.copy)(source, root / part)
    monkeypatch.setattr(model_module, "ROOT", root)
    monkeypatch.setattr(model_module, "MODEL_INPUTS", [root / "domain.yml", root / "nlu/text.py",
                                                       root / "data/lexicon/teencode.yml"])
    first = model_module.fingerprint(root / "config.yml")
    (root / "data" / "holdout").mkdir()
    (root / "data" / "holdout" / "x.yml").write_text("held out data does not train\n")
    (root / "README.md").write_text("docs do not train\n")
    (root / "nlu" / "urgency.py").write_text("# the detector does not shape the model\n")
    assert model_module.fingerprint(root / "config.yml") == first
    with open(root / "data/nlu/report.yml", "a") as f:
        f.write("    - một ví dụ mới\n")
    assert model_module.fingerprint(root / "config.yml") != first
    assert model_module.fingerprint(root / "config.yml", nlu_only=True) != model_module.fingerprint(root / "config.yml")

    # a story shapes the full model only; NLU-only models (make eval) train on data/nlu
    full, nlu_only = (model_module.fingerprint(root / "config.yml", n) for n in (False, True))
    with open(root / "data/dialogue/stories.yml", "a") as f:
        f.write("\n")
    assert model_module.fingerprint(root / "config.yml") != full
    assert model_module.fingerprint(root / "config.yml", nlu_only=True) == nlu_only


def _cache_a_model(cache, name, contents):
    cache.mkdir(exist_ok=True)
    (cache / name).write_bytes(contents)
    model_module._seal(cache / name)


def test_a_fresh_checkout_takes_the_model_of_the_same_inputs_from_the_cache(tmp_path, monkeypatch):
    cache, models = tmp_path / "cache", tmp_path / "clone-models"
    monkeypatch.setattr(model_module, "MODELS_DIR", models)
    monkeypatch.setenv("MODEL_CACHE_DIR", str(cache))
    monkeypatch.setenv("RASA_PYTHON", "/bin/false")  # any training would fail
    expected = model_module.model_path()
    _cache_a_model(cache, expected.name, b"a model trained by an earlier checkout")
    found = model_module.ensure_model()
    assert found == expected and found.read_bytes() == b"a model trained by an earlier checkout"
    assert not list(models.glob("*.partial"))
    assert model_module.ensure_model() == expected  # sealed in the checkout too: no second copy

    # A model of other inputs is never taken, and an empty MODEL_CACHE_DIR turns the cache off.
    found.unlink()
    (cache / expected.name).rename(cache / "config-full-0000000000000000.tar.gz")
    for setting in (str(cache), ""):
        monkeypatch.setenv("MODEL_CACHE_DIR", setting)
        try:
            model_module.ensure_model()
            raise AssertionError("trained nothing, yet returned a model")
        except RuntimeError as error:
            assert "training failed" in str(error)


def test_half_a_model_is_never_loaded(tmp_path, monkeypatch):
    """CI once took a truncated archive for a model: a copy or a training cut off must not count."""
    cache, models = tmp_path / "cache", tmp_path / "clone-models"
    monkeypatch.setattr(model_module, "MODELS_DIR", models)
    monkeypatch.setenv("MODEL_CACHE_DIR", str(cache))
    monkeypatch.setenv("RASA_PYTHON", "/bin/false")
    expected = model_module.model_path()

    # in the cache: sealed whole, then cut short, or changed to the same length
    for damage in (lambda b: b[:-7], lambda b: b[:-7] + b"garbage"):
        _cache_a_model(cache, expected.name, b"a model trained by an earlier checkout")
        (cache / expected.name).write_bytes(damage(b"a model trained by an earlier checkout"))
        try:
            model_module.ensure_model()
            raise AssertionError("a damaged cached model was taken")
        except RuntimeError as error:
            assert "training failed" in str(error)
        assert not expected.exists()

    # in the checkout: a file under the model's name without its seal (Rasa cut off mid-write)
    models.mkdir(exist_ok=True)  # the failed trainings above made it
    expected.write_bytes(b"half a mod")
    try:
        model_module.ensure_model()
        raise AssertionError("an unsealed model in the checkout was taken")
    except RuntimeError as error:
        assert "training failed" in str(error)
    assert not list(models.glob(".training-*")), "a failed training leaves its directory behind"
