"""A run's outputs are one set (issue 10, "What must work" 6; `reserve/outputs.py`): they
appear together or not at all, never beside an earlier run's, nothing the user put in the
folder is deleted, and a killed run's leftovers are cleaned up by the next run.

Most tests drive `publish` with a small writer (so they test the switch, not the
renderers); a few go through `write_outputs` and the command line. Kills are simulated two
ways: an exception raised at each step (`_stage`), and a real SIGKILL of a child process at
each step (no `finally` runs, as after `kill -9` or a power cut of the process).
"""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from bookkit import write_book

from reserve import outputs
from reserve.outputs import MANIFEST, OutputError, publish

STAGES = ("staging", "written", "carried", "complete", "exchanged")
FALLBACK_STAGES = ("staging", "written", "carried", "complete", "aside", "renamed")


def writer(tag: str, names=("report.json", "report.html", "report.xlsx", "supporting/customer_item_1.parquet")):
    """A stand-in for the renderers: each file holds the run's tag."""
    def write(folder: Path) -> list[str]:
        for n in names:
            (folder / n).parent.mkdir(parents=True, exist_ok=True)
            (folder / n).write_text(f"{tag}:{n}")
        return list(names)
    return write


def listing(folder: Path) -> dict[str, str]:
    """{relative path: content} of every file under folder (the manifest as its run and files)."""
    out = {}
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            rel = p.relative_to(folder).as_posix()
            if rel == MANIFEST:
                m = json.loads(p.read_text())
                out[rel] = f"{m['state']}:{sorted(m['files'])}"
            else:
                out[rel] = p.read_text()
    return out


def hidden_siblings(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith("."))


def first_run(tmp_path) -> Path:
    out = tmp_path / "report"
    publish(out, writer("old"))
    (out / "notes.txt").write_text("mine")  # the user's own files, beside the report
    (out / "supporting" / "reviewer.txt").write_text("reviewer's note")
    (out / "drafts").mkdir()
    return out


# --------------------------------------------------------------------------- one set, never mixed


def test_a_second_run_replaces_the_set_and_keeps_the_users_files(tmp_path):
    out = first_run(tmp_path)
    publish(out, writer("new"))
    files = listing(out)
    assert {k: v for k, v in files.items() if k.startswith("report") or k.endswith(".parquet")} == {
        "report.json": "new:report.json", "report.html": "new:report.html", "report.xlsx": "new:report.xlsx",
        "supporting/customer_item_1.parquet": "new:supporting/customer_item_1.parquet"}
    assert files["notes.txt"] == "mine" and files["supporting/reviewer.txt"] == "reviewer's note"
    assert (out / "drafts").is_dir()  # an empty folder of the user's too
    assert hidden_siblings(out) == []  # no temporary folder left


def test_format_json_after_a_full_run_leaves_only_the_new_json(tmp_path):
    """Found (issue 10): `--format json` into a folder holding last week's full report left the
    old html and xlsx beside the new json, with nothing to tell them apart."""
    out = first_run(tmp_path)
    publish(out, writer("new", ("report.json",)))
    files = listing(out)
    assert set(files) == {"report.json", MANIFEST, "notes.txt", "supporting/reviewer.txt"}
    assert files["report.json"] == "new:report.json"
    manifest = json.loads((out / MANIFEST).read_text())
    assert manifest["files"] == [MANIFEST, "report.json"] and manifest["state"] == "complete"


def test_a_reviewers_file_in_supporting_is_kept(tmp_path):
    """Found (issue 10): `compute --out DIR` deleted DIR/supporting/ whole, a reviewer's own file
    put there included; and `--format json` into a folder holding a full report left the old
    html and xlsx beside the new json. Through the real renderers and the command line."""
    from click.testing import CliRunner

    from reserve.cli import main

    book = write_book(tmp_path / "book", accounts=[
        {"account_id": "C1", "book": "customer", "type": "cash", "balance": "1000"},
        {"account_id": "C2", "book": "customer", "type": "margin", "balance": "-400"}])
    out = tmp_path / "out"
    r = CliRunner().invoke(main, ["compute", str(book), "--out", str(out), "--quiet"])
    assert r.exit_code == 0, r.output
    (out / "supporting" / "reviewer notes.txt").write_text("tick-marked")
    r = CliRunner().invoke(main, ["compute", str(book), "--out", str(out), "--quiet"])
    assert r.exit_code == 0, r.output
    assert (out / "supporting" / "reviewer notes.txt").read_text() == "tick-marked"
    assert list((out / "supporting").glob("*.parquet"))
    r = CliRunner().invoke(main, ["compute", str(book), "--out", str(out), "--quiet", "--format", "json"])
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in out.iterdir()) == [MANIFEST, "report.json", "supporting"]
    assert [p.name for p in (out / "supporting").iterdir()] == ["reviewer notes.txt"]


def test_the_users_file_is_the_same_file_not_a_copy(tmp_path):
    out = first_run(tmp_path)
    before = os.stat(out / "notes.txt").st_ino
    publish(out, writer("new"))
    assert os.stat(out / "notes.txt").st_ino == before  # carried as a hard link: nothing rewritten


def test_copies_where_hard_links_are_impossible(tmp_path, monkeypatch):
    out = first_run(tmp_path)

    def no_links(*a, **k):
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(outputs.os, "link", no_links)
    publish(out, writer("new"))
    assert (out / "notes.txt").read_text() == "mine" and hidden_siblings(out) == []


def test_a_folder_written_before_manifests(tmp_path):
    """A report folder of an earlier version (no manifest): report files and supporting
    Parquet files are reserve's; anything else is the user's."""
    out = tmp_path / "report"
    (out / "supporting").mkdir(parents=True)
    for n in ("report.json", "report.html", "supporting/old_line.parquet"):
        (out / n).write_text("legacy")
    (out / "supporting" / "mine.csv").write_text("mine")
    publish(out, writer("new", ("report.json",)))
    assert set(listing(out)) == {"report.json", MANIFEST, "supporting/mine.csv"}


def test_the_folder_keeps_its_permissions(tmp_path):
    out = first_run(tmp_path)
    os.chmod(out, 0o750)
    publish(out, writer("new"))
    assert (os.stat(out).st_mode & 0o777) == 0o750
    fresh = tmp_path / "fresh"
    publish(fresh, writer("new"))
    umask = os.umask(0)
    os.umask(umask)
    assert (os.stat(fresh).st_mode & 0o777) == 0o777 & ~umask


def test_a_symlinked_output_folder_is_written_through(tmp_path):
    out = first_run(tmp_path)
    link = tmp_path / "latest"
    link.symlink_to(out, target_is_directory=True)
    publish(link, writer("new"))
    assert link.is_symlink() and (link / "report.json").read_text() == "new:report.json"
    assert (out / "notes.txt").read_text() == "mine"


def test_a_file_written_into_the_folder_during_the_run_is_kept(tmp_path, monkeypatch):
    out = first_run(tmp_path)

    def late(stage):
        if stage == "complete":  # after the user's files were carried over, before the switch
            (out / "late.txt").write_text("written while the run was writing")

    monkeypatch.setattr(outputs, "_stage", late)
    publish(out, writer("new"))
    assert (out / "late.txt").read_text() == "written while the run was writing"
    assert hidden_siblings(out) == []


# --------------------------------------------------------------------------- failures and kills


class Boom(Exception):
    pass


@pytest.mark.parametrize("stage", STAGES[:-1])
def test_a_failure_before_the_switch_changes_nothing(tmp_path, monkeypatch, stage):
    out = first_run(tmp_path)
    before = listing(out)

    def fail(s):
        if s == stage:
            raise Boom(s)

    monkeypatch.setattr(outputs, "_stage", fail)
    with pytest.raises(Boom):
        publish(out, writer("new"))
    assert listing(out) == before
    assert hidden_siblings(out) == []  # the new set is removed before the error is reported


def test_no_space_left_is_one_line_and_nothing_is_left(tmp_path):
    out = first_run(tmp_path)
    before = listing(out)

    def full(folder):
        (folder / "report.json").write_text("half")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(folder / "report.html"))

    with pytest.raises(OutputError, match="No space left on device.*nothing was written"):
        publish(out, full)
    assert listing(out) == before and hidden_siblings(out) == []


def test_permission_denied_is_one_line_and_nothing_is_left(tmp_path, monkeypatch):
    out = first_run(tmp_path)
    before = listing(out)
    real_mkdir = Path.mkdir

    def denied(self, *a, **k):
        if ".reserve-new-" in self.name:
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real_mkdir(self, *a, **k)

    monkeypatch.setattr(Path, "mkdir", denied)
    with pytest.raises(OutputError, match="Permission denied"):
        publish(out, writer("new"))
    assert listing(out) == before and hidden_siblings(out) == []


KILL_SCRIPT = textwrap.dedent("""
    import os, signal, sys
    from pathlib import Path
    from reserve import outputs
    stage, fallback, out = sys.argv[1], sys.argv[2] == "1", Path(sys.argv[3])

    def kill(s):
        if s == stage:
            os.kill(os.getpid(), signal.SIGKILL)

    outputs._stage = kill
    if fallback:
        def no_exchange(a, b):
            raise outputs._NoExchange("test")
        outputs._exchange = no_exchange

    def write(folder):
        for n in ("report.json", "report.html", "supporting/customer_item_1.parquet"):
            (folder / n).parent.mkdir(parents=True, exist_ok=True)
            (folder / n).write_text("new:" + n)
        return ["report.json", "report.html", "supporting/customer_item_1.parquet"]

    outputs.publish(out, write)
""")


def run_killed(out: Path, stage: str, fallback: bool) -> int:
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    done = subprocess.run([sys.executable, "-c", KILL_SCRIPT, stage, "1" if fallback else "0", str(out)],
                          env=env, capture_output=True, text=True, timeout=60)
    return done.returncode


def whole_set(out: Path) -> str:
    """'old' or 'new' when the folder holds exactly one run's set (and the user's files)."""
    files = listing(out)
    assert files["notes.txt"] == "mine" and files["supporting/reviewer.txt"] == "reviewer's note"
    tags = {v.split(":")[0] for k, v in files.items() if k.startswith("report") or k.endswith(".parquet")}
    assert len(tags) == 1, files  # never this run's report.html beside last run's report.json
    tag = tags.pop()
    manifest = json.loads((out / MANIFEST).read_text())
    ours = {k for k in files if k.startswith("report") or k.endswith(".parquet")} | {MANIFEST}
    assert set(manifest["files"]) == ours, (manifest, files)
    return tag


@pytest.mark.parametrize("fallback, stage", [(False, s) for s in STAGES] + [(True, s) for s in FALLBACK_STAGES])
def test_a_kill_at_any_step_leaves_one_whole_set_and_the_next_run_cleans_up(tmp_path, fallback, stage):
    """SIGKILL at each step of `publish` (renameat2 and the rename-aside fallback). Right after
    the kill DIR is the old set or the new set, whole, with the user's files -- except in the
    fallback between its two renames, where DIR is missing and the old set is aside, to be
    put back by the next run. The next run leaves no hidden folder and keeps the user's files."""
    out = first_run(tmp_path)
    assert run_killed(out, stage, fallback) == -signal.SIGKILL
    leftovers = hidden_siblings(out)
    if stage == "aside":
        assert not out.exists() and any(".reserve-old-" in n for n in leftovers)
    else:
        expected = "new" if stage in ("exchanged", "renamed") else "old"
        assert whole_set(out) == expected
        assert leftovers  # the killed run's folder (its new set, or the old set it moved aside)
    publish(out, writer("next"))
    assert whole_set(out) == "next"
    assert hidden_siblings(out) == []
    assert (out / "drafts").is_dir()


def test_the_first_designs_leftover_folder_is_removed(tmp_path):
    """Found (issue 10): a killed run left a hidden `.out.XXXXXXXX` folder behind."""
    out = first_run(tmp_path)
    legacy = tmp_path / ".report.k3j_9xq2"
    (legacy / "supporting").mkdir(parents=True)
    (legacy / "report.html").write_text("half-written")
    (legacy / "supporting" / "x.parquet").write_text("half-written")
    unrelated = tmp_path / ".report.notours1"
    unrelated.mkdir()
    (unrelated / "keep.txt").write_text("someone else's")
    publish(out, writer("new"))
    assert not legacy.exists()
    assert (unrelated / "keep.txt").exists()  # not only report files: not ours, left alone


def test_a_live_runs_folder_is_left_alone(tmp_path):
    out = first_run(tmp_path)
    live = tmp_path / ".report.reserve-new-0123456789abcdef"
    live.mkdir()
    (live / "report.json").write_text("being written")
    lock = outputs._Lock(live)  # held, as by a run still writing
    try:
        publish(out, writer("new"))
        assert live.exists()
    finally:
        lock.release()
    publish(out, writer("next"))
    assert not live.exists()


# --------------------------------------------------------------------------- folders that cannot be used


def test_out_that_is_a_file(tmp_path):
    f = tmp_path / "report"
    f.write_text("a file")
    with pytest.raises(OutputError, match="is a file, not a folder"):
        publish(f, writer("new"))
    assert f.read_text() == "a file" and hidden_siblings(f) == []


def test_out_whose_parent_is_missing(tmp_path):
    with pytest.raises(OutputError, match="does not exist; create it first"):
        publish(tmp_path / "no" / "such" / "report", writer("new"))
    assert not (tmp_path / "no").exists()


def test_out_that_holds_other_files_is_refused(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    (home / "budget.xlsx").write_text("not a report")
    with pytest.raises(OutputError, match=r"holding other files \(budget.xlsx\), not a reserve report folder; "
                                          "choose a new or empty folder"):
        publish(home, writer("new"))
    assert [p.name for p in home.iterdir()] == ["budget.xlsx"] and hidden_siblings(home) == []
    empty = tmp_path / "empty"
    empty.mkdir()
    publish(empty, writer("new"))  # an empty folder is fine
    assert (empty / "report.json").exists()


def test_out_that_is_the_current_folder_is_refused(tmp_path, monkeypatch):
    out = first_run(tmp_path)
    monkeypatch.chdir(out / "supporting")
    with pytest.raises(OutputError, match="current folder"):
        publish(out, writer("new"))


def test_a_read_only_folder_is_one_line(tmp_path, monkeypatch):
    out = first_run(tmp_path)
    monkeypatch.setattr(outputs.os, "access", lambda p, mode: Path(p) != out)  # as for a non-root user after chmod
    with pytest.raises(OutputError, match=r"the folder cannot be written \(permission denied\)"):
        publish(out, writer("new"))


# --------------------------------------------------------------------------- the real renderers, killed


WRITE_OUTPUTS_KILL_SCRIPT = textwrap.dedent("""
    import os, signal, sys
    from pathlib import Path
    n, book, target = int(sys.argv[1]), sys.argv[2], Path(sys.argv[3]).resolve()
    moves = [0]

    def after_each_move_into_the_folder(fn):
        def moved(a, b, *args, **kwargs):
            done = fn(a, b, *args, **kwargs)
            dst = Path(os.path.abspath(b))
            if dst == target or target in dst.parents:
                moves[0] += 1
                if moves[0] == n:
                    os.kill(os.getpid(), signal.SIGKILL)
            return done
        return moved

    os.replace = after_each_move_into_the_folder(os.replace)
    os.rename = after_each_move_into_the_folder(os.rename)
    try:
        from reserve import outputs
        outputs._exchange = after_each_move_into_the_folder(outputs._exchange)
    except ImportError:
        pass
    from reserve.api import compute_book, write_outputs
    b, result = compute_book(book)
    write_outputs(target, b, result)
""")


def firm_of_each_output(out: Path) -> dict[str, str]:
    """{output: the firm whose run wrote it} for report.json, report.html, report.xlsx and each
    supporting schedule (its account ids carry the firm's prefix)."""
    import pyarrow.parquet as pq
    from openpyxl import load_workbook

    firms = {"report.json": json.loads((out / "report.json").read_text())["firm_name"]}
    html = (out / "report.html").read_text()
    firms["report.html"] = next(f for f in ("Old Firm LLC", "New Firm LLC") if f in html)
    wb = load_workbook(out / "report.xlsx", read_only=True)
    firms["report.xlsx"] = next(iter(wb.worksheets[0].iter_rows(values_only=True)))[0]
    wb.close()
    for p in sorted((out / "supporting").glob("*.parquet")):
        ids = {str(v) for c in pq.read_table(p).to_pydict().values() for v in c if isinstance(v, str)}
        firms[f"supporting/{p.name}"] = "Old Firm LLC" if any(i.startswith("OLD") for i in ids) else "New Firm LLC"
    return firms


@pytest.mark.parametrize("moves", [1, 3])
def test_write_outputs_killed_after_a_move_never_mixes_two_runs(tmp_path, moves):
    """Found (issue 10): `write_outputs` moved files into DIR one at a time, so a kill between
    two moves left this run's report.html beside last run's report.json, and the killed run's
    hidden `.DIR.XXXXXXXX` folder stayed behind for good. Here the real renderers write a
    report over last week's, and the process is SIGKILLed right after its first or
    third move of anything into DIR (the one-at-a-time mover made four; the switch makes one): DIR must still be one run's whole set, and the next run
    must leave no hidden folder."""
    def firm_book(name: str, prefix: str) -> Path:
        return write_book(tmp_path / prefix, {"firm_name": name}, accounts=[
            {"account_id": f"{prefix}1", "book": "customer", "type": "cash", "balance": "1000"},
            {"account_id": f"{prefix}2", "book": "customer", "type": "margin", "balance": "-400"}])

    old, new = firm_book("Old Firm LLC", "OLD"), firm_book("New Firm LLC", "NEW")
    out = tmp_path / "report"
    from reserve.api import compute_book, write_outputs

    write_outputs(out, *compute_book(old))
    assert set(firm_of_each_output(out).values()) == {"Old Firm LLC"}
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    subprocess.run([sys.executable, "-c", WRITE_OUTPUTS_KILL_SCRIPT, str(moves), str(new), str(out)],
                   env=env, capture_output=True, text=True, timeout=120)
    firms = firm_of_each_output(out)
    assert len(set(firms.values())) == 1, f"two runs mixed in one folder: {firms}"
    write_outputs(out, *compute_book(new))
    assert set(firm_of_each_output(out).values()) == {"New Firm LLC"}
    assert hidden_siblings(out) == []  # the killed run's folder was cleaned up


# --------------------------------------------------------------------------- a real full disk, a real read-only file system

ENOSPC_SCRIPT = textwrap.dedent("""
    import errno, sys
    import pyarrow.parquet as pq
    real, calls = pq.write_table, [0]

    def full(*a, **k):  # the disk fills while the second supporting schedule is written
        calls[0] += 1
        if calls[0] == 2:
            raise OSError(errno.ENOSPC, "Error writing bytes to file. Detail: [errno 28] No space left on device")
        return real(*a, **k)

    pq.write_table = full
    import time
    from reserve.report import render
    shown = render.schedule_rows

    def slow(*a, **k):  # the main thread slower than the trail's threads, so the failure comes while the
        time.sleep(0.05)  # workbook's sheets are open (the trail is written beside them: reserve.report.render)
        return shown(*a, **k)

    render.schedule_rows = slow
    from reserve.cli import main
    main(sys.argv[1:])
""")


def test_a_full_disk_mid_report_is_one_line_with_nothing_after_it(tmp_path):
    """A disk that fills while the supporting schedules are written, with the workbook's sheets
    open: one `Error:` line, exit 1 -- and not a page of openpyxl "Exception ignored in"
    tracebacks when the half-built workbook is collected (seen on a real full tmpfs)."""
    sample = Path(__file__).resolve().parents[1] / "sample_data" / "weekly_book.xlsx"
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    done = subprocess.run([sys.executable, "-c", ENOSPC_SCRIPT, "compute", str(sample), "--out", str(tmp_path / "out")],
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert done.stderr.splitlines() == [f"Error: cannot write the report in {tmp_path / 'out'}: Error writing bytes "
                                        "to file. Detail: [errno 28] No space left on device; nothing was written"]
    assert list(tmp_path.iterdir()) == []


@pytest.fixture
def tiny_fs(tmp_path):
    """A 400 KiB tmpfs (root only: skipped where it cannot be mounted)."""
    mnt = tmp_path / "tiny"
    mnt.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=400k", "tmpfs", str(mnt)], capture_output=True)
    if done.returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", str(mnt)], check=True)


def test_a_real_full_disk_and_a_real_read_only_file_system(tiny_fs, tmp_path):
    """The file system says no (ENOSPC, EROFS), as it would to a user: one line, exit 1,
    nothing left behind, the earlier report and the user's file untouched."""
    from click.testing import CliRunner

    from reserve.cli import main

    sample = Path(__file__).resolve().parents[1] / "sample_data" / "weekly_book.xlsx"
    out = tiny_fs / "report"

    def run(*args):
        r = CliRunner().invoke(main, [str(a) for a in args])
        assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
        assert "Traceback" not in r.output and "Exception ignored" not in r.output
        return r

    assert run("compute", sample, "--out", out, "--format", "json", "--quiet").exit_code == 0
    (out / "mine.txt").write_text("mine")
    before = listing(out)
    r = run("compute", sample, "--out", out)  # html, xlsx and 36 schedules do not fit in 400 KiB
    assert r.exit_code == 1 and r.stderr.count("\n") == 1, r.stderr
    assert "No space left on device" in r.stderr and "nothing was written" in r.stderr
    assert listing(out) == before and hidden_siblings(out) == []
    subprocess.run(["mount", "-o", "remount,ro", str(tiny_fs)], check=True)
    for args, message in [
        (("compute", sample, "--out", out, "--format", "json"),
         f"Error: --out {out}: the folder cannot be written (it is on a read-only file system)"),
        (("compute", sample, "--out", tiny_fs / "new"),
         f"Error: --out {tiny_fs / 'new'}: cannot write in {tiny_fs} (it is on a read-only file system)"),
        (("template", tiny_fs / "book.xlsx"),
         f"Error: {tiny_fs / 'book.xlsx'}: cannot write in {tiny_fs} (it is on a read-only file system)"),
        (("sample", tiny_fs / "samples"),
         f"Error: {tiny_fs / 'samples'}: cannot write in {tiny_fs} (it is on a read-only file system)"),
        (("reperform", sample, "--against", out / "report.json", "--out", tiny_fs / "v.json"),
         f"Error: --out {tiny_fs / 'v.json'}: cannot write in {tiny_fs} (it is on a read-only file system)"),
    ]:
        r = run(*args)
        assert (r.exit_code, r.stderr.strip()) == (1, message), args
    assert listing(out) == before


def test_a_killed_template_writes_temporary_file_is_removed_by_the_next(tmp_path):
    """`template`, `sample` and `reperform --out` write a hidden temporary file, then rename it
    into place; one a killed run left (its lock gone) is removed by the next write."""
    path = tmp_path / "book.xlsx"
    stale = tmp_path / ".book.xlsx.reserve-0badc0de.xlsx"
    stale.write_bytes(b"half a workbook")
    other = tmp_path / ".other.xlsx.reserve-0badc0de.xlsx"
    other.write_bytes(b"not this path's")
    outputs.write_file_atomically(path, lambda p: p.write_bytes(b"whole"), "")
    assert path.read_bytes() == b"whole" and not stale.exists() and other.exists()


def test_a_workbook_failure_while_the_trail_is_written_leaves_nothing(tmp_path, monkeypatch):
    """The audit trail is written on a second thread beside the workbook (reserve.report.render):
    when the workbook fails, the trail's thread is stopped before the half-written folder is
    removed -- one OutputError, nothing left behind, no file written after the removal."""
    import time

    from reserve.api import compute, load_book, write_outputs
    from reserve.report import render, supporting, xlsx

    sample = Path(__file__).resolve().parents[1] / "sample_data" / "weekly_book.xlsx"
    book = load_book(sample)
    result = compute(book)
    real = supporting.write_trail

    def slow(*a, **k):
        time.sleep(0.05)  # the trail still running when the workbook fails
        return real(*a, **k)

    def full(part, path, *a):  # the workbook's last step, inside its save (which then closes its sheets)
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(render, "write_trail", slow)
    monkeypatch.setattr(xlsx, "_splice_rows", full)
    with pytest.raises(OutputError, match="No space left on device"):
        write_outputs(tmp_path / "out", book, result)
    time.sleep(0.2)  # a trail file written after the removal would show here
    assert list(tmp_path.iterdir()) == []
