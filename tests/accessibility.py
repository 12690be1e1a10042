"""axe-core in a real browser, for any page a test has open: ``axe_violations(driver)`` gives the
violations of the page as it is now (of serious or critical impact unless told otherwise).
axe-core comes from the npm registry at the version package-lock.json pins (``make axe``); the
pages never load it, the test injects it. Used by tests/test_accessibility.py for every role's page
and the web chat; another page is one more call."""
from __future__ import annotations

from pathlib import Path
from typing import Iterable, List, Optional

ROOT = Path(__file__).resolve().parent.parent
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SERIOUS = ("serious", "critical")

_RUN = """
var done = arguments[arguments.length - 1];
axe.run(arguments[0] || document, {resultTypes: ["violations"]})
  .then(function (r) { done(r.violations); })
  .catch(function (e) { done({error: String(e)}); });
"""


def axe_violations(driver, impacts: Iterable[str] = SERIOUS, context: Optional[str] = None) -> List[dict]:
    """axe's violations on the open page (or within the CSS selector ``context``) whose impact is
    one of ``impacts``; each as axe reports it (id, impact, help, nodes with their targets)."""
    assert AXE.exists(), "make axe installs axe-core into node_modules/"
    if not driver.execute_script("return !!window.axe"):
        driver.execute_script(AXE.read_text(encoding="utf-8"))  # through WebDriver: the page's CSP does not apply
    driver.set_script_timeout(60)
    found = driver.execute_async_script(_RUN, context)
    assert not isinstance(found, dict), found
    wanted = set(impacts)
    return [v for v in found if v["impact"] in wanted]


def described(violations: List[dict]) -> str:
    """One line per violation and element, for an assertion's message."""
    return "\n".join(f"{v['impact']} {v['id']}: {v['help']} -> {n['target']} {n.get('failureSummary', '')[:200]}"
                     for v in violations for n in v["nodes"])
