"""Shared fixtures: one trained model and one real Rasa + action server per session."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from bot.launcher import running_backend  # noqa: E402
from bot.model import ROOT, ensure_model  # noqa: E402

# The hotline's shared material sits beside the checkout (../shared); SHARED_DIR overrides.
SHARED = next(
    (p for p in (Path(os.environ.get("SHARED_DIR", ROOT.parent / "shared")), Path("/work/shared"))
     if (p / "eval" / "triage_sample.jsonl").exists()),
    ROOT.parent / "shared",
)
TRIAGE_SAMPLE = SHARED / "eval" / "triage_sample.jsonl"
SEEDS = SHARED / "seeds"


@pytest.fixture(scope="session")
def model() -> Path:
    """The current model; trained at most once (cached by data hash in models/)."""
    return ensure_model()


@pytest.fixture(scope="session")
def backend(model, tmp_path_factory):
    """A real Rasa server and action server on free loopback ports."""
    with running_backend(model, log_dir=tmp_path_factory.mktemp("backend")) as running:
        yield running
