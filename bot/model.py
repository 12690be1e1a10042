"""Trained models, cached by a hash of everything that shapes them.

`make setup`, `make run`, the tests and `make eval` all call ``ensure_model``: a model
is trained only when its inputs changed, so a test session trains at most once.
"""
from __future__ import annotations

import hashlib
import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Iterable, List, Optional

ROOT = Path(__file__).resolve().parent.parent
MODELS_DIR = ROOT / "models"
# Code and lexicons that change the features, hence the model (not the urgency detector).
MODEL_INPUTS = [
    ROOT / "domain.yml",
    ROOT / "nlu" / "text.py",
    ROOT / "nlu" / "vietnamese_tokenizer.py",
    ROOT / "data" / "lexicon" / "teencode.yml",
]

logger = logging.getLogger(__name__)


def _files(paths: Iterable[Path]) -> List[Path]:
    out: List[Path] = []
    for path in paths:
        if path.is_dir():
            out += sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in {".yml", ".yaml", ".py"})
        elif path.exists():
            out.append(path)
    return out


def training_data(nlu_only: bool = False) -> List[Path]:
    """What `rasa train` reads: NLU examples, plus stories and rules for a full model."""
    nlu = ROOT / "data" / "nlu"
    return [nlu] if nlu_only else [nlu, ROOT / "data" / "dialogue"]


def fingerprint(config: Path, nlu_only: bool = False) -> str:
    """Hash of everything the model is trained from, so it retrains exactly when that changes."""
    digest = hashlib.sha256(b"nlu" if nlu_only else b"full")
    for path in _files([config, *training_data(nlu_only), *MODEL_INPUTS]):
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def model_path(config: Path = ROOT / "config.yml", nlu_only: bool = False) -> Path:
    kind = "nlu" if nlu_only else "full"
    return MODELS_DIR / f"{config.stem}-{kind}-{fingerprint(config, nlu_only)}.tar.gz"


def rasa_env() -> dict:
    """Environment for Rasa subprocesses: our components importable, TF quiet."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    env.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    # Rasa and TF must not reach the network at run time.
    env.setdefault("HF_HUB_OFFLINE", "1")
    env.setdefault("RASA_TELEMETRY_ENABLED", "false")
    # One TensorFlow thread per Rasa server: run one server per core instead. Measured on 2 cores
    # with 2 servers: 23 msg/s with TF's default pools (they fight over the cores), 30 with one each.
    env.setdefault("TF_INTRA_OP_PARALLELISM_THREADS", "1")
    env.setdefault("TF_INTER_OP_PARALLELISM_THREADS", "1")
    return env


def ensure_model(config: Path = ROOT / "config.yml", nlu_only: bool = False, log: Optional[Path] = None) -> Path:
    """The trained model for ``config`` and the current data, training it if needed."""
    target = model_path(config, nlu_only)
    if target.exists():
        return target
    MODELS_DIR.mkdir(exist_ok=True)
    command = [sys.executable, "-m", "rasa", "train"]
    if nlu_only:
        command += ["nlu", "--nlu", *map(str, training_data(nlu_only=True))]
    else:
        command += ["--domain", str(ROOT / "domain.yml"), "--data", *map(str, training_data())]
    command += ["--config", str(config), "--out", str(MODELS_DIR), "--fixed-model-name", target.name[: -len(".tar.gz")]]
    log = log or MODELS_DIR / f"{target.name}.train.log"
    logger.info("training %s (log: %s)", target.name, log)
    with open(log, "wb") as out:
        result = subprocess.run(command, cwd=ROOT, env=rasa_env(), stdout=out, stderr=subprocess.STDOUT)
    if result.returncode != 0 or not target.exists():
        raise RuntimeError(f"training failed, see {log}")
    return target
