"""Trained models, cached by a hash of everything that shapes them.

`make setup`, `make run`, the tests and `make eval` all call ``ensure_model``: a model
is trained only when its inputs changed, so a test session trains at most once. Trained
models are also kept in a cache outside the checkout (MODEL_CACHE_DIR, default
~/.cache/hotline-vn/models), so a fresh clone on the same machine, such as CI's, reuses the
model of the same inputs instead of spending 16 minutes training it again.
"""
from __future__ import annotations

import hashlib
import logging
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Iterable, List, Optional

import yaml

from nlu import corpus

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
            out += sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in {".yml", ".yaml", ".py", ".jsonl"})
        elif path.exists():
            out.append(path)
    return out


def training_data(nlu_only: bool = False) -> List[Path]:
    """What the model is trained from: NLU examples and the triage corpus (its training split,
    written as NLU examples by ``corpus_as_nlu``), plus stories and rules for a full model."""
    nlu = [ROOT / "data" / "nlu", ROOT / "data" / "triage" / "corpus"]
    return nlu if nlu_only else [*nlu, ROOT / "data" / "dialogue"]


def _known_intents() -> set:
    """Intents Rasa can learn: the domain's, and retrieval intents that have a response."""
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    retrieval = {name[len("utter_"):] for name in domain.get("responses", {}) if "/" in name}
    return set(domain["intents"]) | retrieval


def write_nlu_file(messages: Iterable[corpus.Labelled], target: Path) -> Path:
    """Labelled messages as a Rasa NLU file, one line each; intents the domain does not know are left out."""
    known = _known_intents()
    by_intent: dict = {}
    for message in messages:
        if message.intent in known:
            by_intent.setdefault(message.intent, []).append(" ".join(message.text.split()))
    lines = ['version: "3.1"', "nlu:"]
    for intent, texts in sorted(by_intent.items()):
        lines += [f"- intent: {intent}", "  examples: |", *(f"    - {t}" for t in texts)]
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


def corpus_as_nlu(directory: Path) -> Path:
    """The triage corpus's training split (never the held-out messages) as a Rasa NLU file."""
    train, _ = corpus.split(corpus.triage_corpus(ROOT / "data" / "triage" / "corpus"))
    return write_nlu_file(train, directory / "triage_corpus.generated.yml")


def nlu_directory(directory: Path, messages: Optional[Iterable[corpus.Labelled]] = None) -> Path:
    """Rasa's NLU files and labelled ``messages`` (default: the corpus's training split) in one
    directory, as `rasa train nlu --nlu` takes a single path."""
    for source in sorted((ROOT / "data" / "nlu").glob("*.yml")):
        shutil.copy(source, directory / source.name)
    if messages is None:
        corpus_as_nlu(directory)
    else:
        write_nlu_file(messages, directory / "messages.generated.yml")
    return directory


def _rasa_data(paths: List[Path], directory: Path) -> List[str]:
    """``training_data`` as `rasa train` takes it: the NLU directory, then the stories."""
    nlu = (ROOT / "data" / "triage" / "corpus", ROOT / "data" / "nlu")
    return [str(nlu_directory(directory))] + [str(p) for p in paths if p not in nlu]


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


def rasa_python() -> str:
    """The interpreter of Rasa's runtime (Python 3.10), which trains and serves Rasa; the services'
    runtime starts it as a subprocess. RASA_PYTHON (set by the Makefile), else the checkout's
    .venv (Rasa's runtime), else this interpreter."""
    explicit = os.environ.get("RASA_PYTHON", "")
    if explicit:
        return explicit
    default = ROOT / ".venv" / "bin" / "python"
    return str(default) if default.exists() else sys.executable


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


def training_env() -> dict:
    """Training runs alone: TensorFlow may use every core (a serving Rasa uses one, see rasa_env)."""
    env = rasa_env()
    cores = str(os.cpu_count() or 1)
    env["TF_INTRA_OP_PARALLELISM_THREADS"] = cores
    env["TF_INTER_OP_PARALLELISM_THREADS"] = cores
    return env


def model_cache_dir() -> Optional[Path]:
    """Where trained models are kept across checkouts; MODEL_CACHE_DIR="" turns the cache off."""
    configured = os.environ.get("MODEL_CACHE_DIR")
    if configured == "":
        return None
    return Path(configured) if configured else Path.home() / ".cache" / "hotline-vn" / "models"


def _seal_path(model: Path) -> Path:
    return model.with_name(model.name + ".sha256")


def _digest(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return f"{digest.hexdigest()} {path.stat().st_size}"


def _seal(model: Path) -> None:
    """Written after the model is whole: a model without its seal (a training or a copy cut off
    when a machine stopped) is never loaded."""
    _write_whole(_seal_path(model), _digest(model).encode())


def _is_sealed(model: Path, check_contents: bool = False) -> bool:
    """The model is there with its seal, and as long as sealed (every byte read: ``check_contents``)."""
    seal = _seal_path(model)
    if not (model.is_file() and seal.is_file()):
        return False
    sealed_digest, _, sealed_size = seal.read_text().strip().partition(" ")
    if model.stat().st_size != int(sealed_size or -1):
        return False
    return not check_contents or _digest(model) == f"{sealed_digest} {sealed_size}"


def _partial_name(target: Path) -> Path:
    # one name per process: two processes copying the same model never write into one file
    return target.with_name(f"{target.name}.{os.getpid()}.partial")


def _write_whole(target: Path, data: bytes) -> None:
    partial = _partial_name(target)
    partial.write_bytes(data)
    partial.replace(target)


def _copy_whole(source: Path, target: Path) -> None:
    """Copy a sealed model under a temporary name, then rename, then copy its seal: a reader never
    finds half a model under the real name. The seal is copied, not computed again: the source's
    bytes were just hashed (written, or checked in the cache), and a short copy fails the size check."""
    partial = _partial_name(target)
    try:
        shutil.copyfile(source, partial)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    _write_whole(_seal_path(target), _seal_path(source).read_bytes())


def _from_cache(target: Path) -> bool:
    cache = model_cache_dir()
    cached = cache / target.name if cache else None
    if cached is None or not _is_sealed(cached, check_contents=True):
        if cached is not None and cached.exists():
            logger.warning("model %s in the cache %s is not whole; training it again", target.name, cache)
        return False
    MODELS_DIR.mkdir(exist_ok=True)
    _copy_whole(cached, target)
    logger.info("model %s taken from the cache %s", target.name, cache)
    return True


def _to_cache(target: Path) -> None:
    cache = model_cache_dir()
    if cache is None:
        return
    try:
        cache.mkdir(parents=True, exist_ok=True)
        _copy_whole(target, cache / target.name)
    except OSError as error:  # a full or read-only disk costs the next clone a training, nothing more
        logger.warning("could not keep the model in the cache (%s)", type(error).__name__)


def ensure_model(config: Path = ROOT / "config.yml", nlu_only: bool = False, log: Optional[Path] = None) -> Path:
    """The trained model for ``config`` and the current data, training it if needed."""
    target = model_path(config, nlu_only)
    if _is_sealed(target) or _from_cache(target):
        return target
    MODELS_DIR.mkdir(exist_ok=True)
    log = log or MODELS_DIR / f"{target.name}.train.log"
    logger.info("training %s (log: %s)", target.name, log)
    # Rasa writes into a directory of its own, moved into place when whole: a training cut off
    # leaves no half model under the real name.
    with tempfile.TemporaryDirectory() as generated, tempfile.TemporaryDirectory(
            dir=MODELS_DIR, prefix=".training-") as out_dir, open(log, "wb") as out:
        data = _rasa_data(training_data(nlu_only), Path(generated))
        command = [rasa_python(), "-m", "rasa", "train"]
        if nlu_only:
            command += ["nlu", "--nlu", *data]
        else:
            command += ["--domain", str(ROOT / "domain.yml"), "--data", *data]
        command += ["--config", str(config), "--out", out_dir,
                    "--fixed-model-name", target.name[: -len(".tar.gz")]]
        result = subprocess.run(command, cwd=ROOT, env=training_env(), stdout=out, stderr=subprocess.STDOUT)
        trained = Path(out_dir) / target.name
        if result.returncode != 0 or not trained.is_file():
            raise RuntimeError(f"training failed, see {log}")
        trained.replace(target)
    _seal(target)
    _to_cache(target)
    return target
