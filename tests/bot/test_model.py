import shutil

from bot import model as model_module


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


def test_a_fresh_checkout_takes_the_model_of_the_same_inputs_from_the_cache(tmp_path, monkeypatch):
    cache, models = tmp_path / "cache", tmp_path / "clone-models"
    monkeypatch.setattr(model_module, "MODELS_DIR", models)
    monkeypatch.setenv("MODEL_CACHE_DIR", str(cache))
    monkeypatch.setenv("RASA_PYTHON", "/bin/false")  # any training would fail
    expected = model_module.model_path()
    cache.mkdir()
    (cache / expected.name).write_bytes(b"a model trained by an earlier checkout")
    found = model_module.ensure_model()
    assert found == expected and found.read_bytes() == b"a model trained by an earlier checkout"
    assert not list(models.glob("*.partial"))

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
