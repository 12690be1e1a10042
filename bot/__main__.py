"""`python -m bot <command>`: the command line, kept under this name (the evaluation's triage
contract in ../shared/eval/README.md runs `.venv/bin/python -m bot triage`; the Makefile, the
images and the docs use it too). The commands live with the tooling, in tools/cli.py: this is the
one module of bot/ that imports tools/ (tests/test_rooms.py holds it to these lines)."""
import sys

from tools.cli import main

if __name__ == "__main__":
    sys.exit(main())
