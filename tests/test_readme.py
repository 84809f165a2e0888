"""The documentation tells the truth about the sample (issue 10, "What must work" 8): the
README's first command works on a fresh Debian machine, and the figures the README, the
sample README and the README's screenshot show are the figures the program computes.

Found (issue 10): sample_data/README.md and the README screenshot showed $328,835.77 deposit needed
and 25 exceptions while the program printed no deposit needed and 24 exceptions; nothing
pinned them. On a stock Debian Python `pip install .` failed (externally managed).
"""

from __future__ import annotations

import re
import subprocess

from readme_figures import PNG_KEY, ROOT, SCREENSHOT, headline, png_text, sample_report, summary_block

README = ROOT / "README.md"
SAMPLE_README = ROOT / "sample_data" / "README.md"


def words(text: str) -> str:
    return " ".join(text.split())


def sh_blocks(text: str) -> list[str]:
    return [b.strip() for b in re.findall(r"```sh\n(.*?)```", text, re.S)]


def test_readme_prints_what_the_program_prints_for_the_sample():
    block = summary_block(sample_report())
    assert f"```text\n{block}\n```" in README.read_text(encoding="utf-8"), (
        "README: the summary after the first command is not what the program prints; run "
        "`python tests/readme_figures.py` (it writes:\n" + block + ")")


def test_sample_readme_states_the_programs_result():
    text = headline(sample_report())
    assert words(text) in words(SAMPLE_README.read_text(encoding="utf-8")), (
        "sample_data/README.md does not state the program's result; run `python tests/readme_figures.py` "
        "(it writes:\n" + text + ")")


def test_screenshot_shows_the_programs_result():
    stamped = png_text(SCREENSHOT).get(PNG_KEY)
    assert stamped == headline(sample_report()), (
        "docs/img/report-screen.png is not of the program's current result; regenerate it with "
        "RESERVE_UPDATE_SCREENSHOT=1 pytest tests/test_report_chromium.py -k screenshot")


def test_no_stale_figures_in_the_docs():
    for doc in (README, SAMPLE_README):
        text = doc.read_text(encoding="utf-8")
        assert "328,835.77" not in text and "3,635,978.62" not in text, doc


def test_first_command_makes_and_uses_a_virtual_environment():
    """A stock Debian python is "externally managed": `pip install .` outside a virtual
    environment fails there, so the first command creates and activates one."""
    first, test = sh_blocks(README.read_text(encoding="utf-8"))[:2]
    steps = [s.strip() for s in first.split("&&")]
    assert steps[:3] == ["python3 -m venv .venv", ". .venv/bin/activate", "pip install ."]
    assert steps[3] == "reserve compute sample_data/weekly_book.xlsx --out report/"
    assert [s.strip() for s in test.split("&&")] == ["python3 -m venv .venv", ". .venv/bin/activate",
                                                    "pip install '.[test]'", "pytest"]
    assert sh_blocks(SAMPLE_README.read_text(encoding="utf-8"))[0] == first


def test_ci_runs_the_readmes_test_command():
    """.ci/run states the README's test command literally, runs exactly those steps, and
    refuses to run when the README says something else, so the two cannot drift."""
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "Run the tests" in script and "README.md" in script
    readme_command = sh_blocks(README.read_text(encoding="utf-8"))[1]
    assert f'TEST_COMMAND="{readme_command}"' in script
    # the steps between the test command's echo and the guard rails, which follow the tests
    steps = script.rsplit('echo "+ $TEST_COMMAND"', 1)[1].split('echo "+ guard rails', 1)[0].split()
    assert " ".join(steps) == readme_command.replace(" && ", " ")
    done = subprocess.run(["bash", str(ROOT / ".ci" / "run"), "--print-command"], capture_output=True, text=True,
                          timeout=30, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == sh_blocks(README.read_text(encoding="utf-8"))[1]
