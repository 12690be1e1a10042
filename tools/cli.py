"""Command line: `python -m bot <command>`.

  triage       JSON Lines in on stdin, triage records out on stdout (../shared/eval/README.md)
  train        train the Rasa model and the urgency and category models if their data changed; print the
               Rasa model's path (--text-models: only the two small models, in this runtime)
  model-path   print the path the current model has (trained or not)
  serve        run the gateway (web chat and webhooks)
  rasa         become one Rasa server with the current model (RASA_PORT, RASA_HOST, RASA_TOKEN,
               ACTION_SERVER_URL, TRACKER_STORE_URL), as containers run it (docs/deploy.md)
  run          run Rasa, the action server and the gateway together (what `make run` does)
"""
# bot/__main__.py hands every command to ``main`` here: the evaluation's contract, the Makefile, the
# images and the docs name `python -m bot`; the commands are tooling and live in tools/.
from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path


def _quiet() -> None:
    # stdout carries data; TF and Rasa chatter goes to stderr and is kept short.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    import warnings

    warnings.filterwarnings("ignore")
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    triage = sub.add_parser("triage", help="triage JSON Lines from stdin")
    triage.add_argument("--model", type=Path, help="model archive (default: the current one)")
    train = sub.add_parser("train", help="train if needed and print the model path")
    train.add_argument("--text-models", action="store_true",
                       help="only the urgency and category models (the services' runtime: Rasa trains in its own)")
    sub.add_parser("model-path", help="print the current model path")
    facts = sub.add_parser("facts", help="list the directory's facts with sources; mark those past review")
    facts.add_argument("--profile", help="deployment profile (default: HOTLINE_PROFILE, else national)")
    sub.add_parser("serve", help="run the gateway")
    sub.add_parser("rasa", help="run one Rasa server")
    sub.add_parser("run", help="run Rasa, actions and gateway")
    args = parser.parse_args(argv)
    _quiet()

    if args.command == "facts":
        from directory import Directory
        from directory.review import report
        from shared.config import Config

        print(report(Directory.load(args.profile or Config.from_env().profile)))
        return 0

    from tools import model

    if args.command == "model-path":
        print(model.model_path())
        return 0
    if args.command == "train":
        from nlu import category_training, urgency_training

        urgency_training.ensure_model()
        category_training.ensure_model()
        if not args.text_models:
            print(model.ensure_model())
        return 0
    if args.command == "triage":
        from tools.triage import main as triage_main

        return triage_main(sys.stdin, sys.stdout, args.model or model.ensure_model())
    if args.command == "serve":
        from bot.app import serve

        logging.getLogger().setLevel(logging.INFO)
        serve()
        return 0
    if args.command == "rasa":
        from tools.launcher import exec_rasa
        from shared.config import Config

        exec_rasa(model.ensure_model(), Config.from_env())
    if args.command == "run":
        from tools.launcher import run_all

        logging.getLogger().setLevel(logging.INFO)
        return run_all(model.ensure_model())
    return 2


if __name__ == "__main__":
    sys.exit(main())
