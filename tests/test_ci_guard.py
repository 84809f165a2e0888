"""CI compares golden files; it never rewrites them.

`RESERVE_UPDATE_GOLDEN=1 pytest tests/test_report_golden.py` rewrites the golden reports on a
developer's machine (ARCHITECTURE.md, "Golden files"). Set in CI, the same switch would turn
every golden comparison into a rewrite and let any change to a figure pass, so this test fails
whenever both CI (set by .ci/run and by CI services) and the switch are set.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_golden_update_switch_is_not_set_in_ci():
    in_ci = os.environ.get("CI", "").lower() not in ("", "0", "false")
    assert not (in_ci and os.environ.get("RESERVE_UPDATE_GOLDEN")), (
        "RESERVE_UPDATE_GOLDEN is set in CI: golden files would be rewritten instead of compared"
    )


def test_ci_refuses_to_run_with_the_switch_set():
    env = {**os.environ, "RESERVE_UPDATE_GOLDEN": "1"}
    # the check comes before anything is installed, so this returns at once
    r = subprocess.run(["bash", str(ROOT / ".ci" / "run")], env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 1
    assert "RESERVE_UPDATE_GOLDEN is set" in r.stderr
