"""The tooling, kept apart from the gateway's runtime (issue 15): the command line behind
`python -m bot …` (cli), the model cache (model), the launcher of the Rasa and action servers
(launcher), the Rasa runner (rasa_server), triage in process (triage), `make eval` (evaluate,
evaluate_triage, evaluate_teencode), the tuning (tune_triage), `make bench` (bench) and
`make versions` (versions).

Tooling sits on top of the layering: it may import the gateway (bot/) and every room below it;
bot/ and everything below never import tools/ (tests/test_rooms.py), but for bot/__main__.py,
which only hands `python -m bot` to tools.cli. Both runtimes import it: Rasa's trains, serves
Rasa and runs the triage command; the services' start everything and run the benchmark.
"""
