"""Issue 13 item 6: progress that moves. Each long phase (reading and typing each table,
checking, computing, writing each output) is a phase of a `Progress`; on a terminal it
advances a count and ends with its time."""

from __future__ import annotations

import io

from bookkit import write_book
from click.testing import CliRunner

from reserve import terminal
from reserve.api import write_outputs
from reserve.book import load_book
from reserve.cli import main
from reserve.formula import compute
from reserve.formula.computation import STEPS
from reserve.progress import Phase, Progress, count_text, done_text


class Recorder(Progress):
    """Every phase started, with what it counted when it ended."""

    def __init__(self):
        self.phases: list[tuple[str, int | None, int]] = []
        self.moves = 0

    def _moved(self, p: Phase) -> None:
        self.moves += 1

    def _finished(self, p: Phase) -> None:
        self.phases.append((p.name, p.total, p.done))


def _book(tmp_path):
    return write_book(tmp_path / "b", {}, accounts=[{"account_id": f"A{i}", "book": "customer", "balance": "10"}
                                                     for i in range(5)])


def test_every_stage_tells_its_progress(tmp_path):
    rec = Recorder()
    b = load_book(_book(tmp_path), rec)
    result = compute(b, rec)
    write_outputs(tmp_path / "out", b, result, ("json", "html", "xlsx"), progress=rec)
    names = [n for n, _, _ in rec.phases]
    assert "reading accounts (accounts.csv)" in names and "typing accounts" in names
    assert "checking keys and references" in names
    typing = dict((n, (t, d)) for n, t, d in rec.phases)
    assert typing["typing accounts"] == (5, 5)  # 5 rows to type, 5 typed
    assert typing["computing"] == (len(STEPS), len(STEPS))  # every step counted
    assert names[-5:] == ["writing report.json", "preparing the schedules shown (report.xlsx, report.html)",
                          "writing report.xlsx", "writing report.html", "writing the audit trail (supporting/)"]
    total, done = typing["preparing the schedules shown (report.xlsx, report.html)"]
    assert total == done and total >= 1  # every schedule
    total, done = typing["writing the audit trail (supporting/)"]
    assert total == done and total >= 5  # every row of every schedule (written on a second thread)


def test_the_terminal_line_advances_and_ends_with_the_time(monkeypatch):
    out = io.StringIO()
    p = terminal.TerminalProgress(out)
    monkeypatch.setattr(terminal, "REDRAW_SECONDS", 0.0)
    monkeypatch.setattr(terminal, "KEEP_SECONDS", 0.0)
    with p.phase("typing accounts", total=3_000_000, unit="rows") as ph:
        ph.advance(1_000_000)
        ph.advance(2_000_000)
    text = out.getvalue()
    assert "\r\x1b[K... typing accounts 1,000,000 of 3,000,000 rows" in text
    assert "\r\x1b[K... typing accounts 3,000,000 of 3,000,000 rows" in text
    assert text.endswith(" s\n") and "... typing accounts: 3,000,000 rows in " in text


def test_a_short_phase_leaves_no_line_and_names_are_made_safe(monkeypatch):
    out = io.StringIO()
    p = terminal.TerminalProgress(out)
    with p.phase("reading sheet \x1b[2Jevil"):
        pass
    assert "\x1b[2J" not in out.getvalue() and "evil" in out.getvalue()
    assert out.getvalue().endswith("\r\x1b[K")  # under KEEP_SECONDS: erased, no line left


def test_counts_read_as_words():
    ph = Phase(Progress(), "x", None, "rows")
    ph.done = 1
    assert count_text(ph) == "1 row" and done_text(ph).startswith(": 1 row in ")
    ph = Phase(Progress(), "x", 38, "steps")
    ph.done = 4
    assert count_text(ph) == "4 of 38 steps"
    assert done_text(Phase(Progress(), "y", None, "")).startswith(" in ")


def test_no_progress_when_stderr_is_not_a_terminal(tmp_path):
    r = CliRunner().invoke(main, ["compute", str(_book(tmp_path)), "--out", str(tmp_path / "out")])
    assert r.exit_code == 0, r.output
    assert "..." not in r.stderr and "\r" not in r.stderr
