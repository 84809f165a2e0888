"""Sign-off bound to the computation (issue 14, item 1): `reserve sign` and `reserve verify`.

A small book computed once per test into a report folder; signatures added through the CLI;
the HTML's sign-off region and the workbook's Sign-off sheet read back.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import openpyxl
import pytest
from bookkit import write_book
from click.testing import CliRunner

from reserve.cli import main
from reserve.report.html import render_signoff_block
from reserve.report.signoff import SIGNOFF_NAME, SignOff, view
from reserve.signing import read_folder


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def report_dir(tmp_path: Path) -> Path:
    book = write_book(
        tmp_path / "book",
        accounts=[{"account_id": "C1", "book": "customer", "balance": "1,000,000.00"},
                  {"account_id": "C2", "book": "customer", "type": "margin", "balance": "-250,000.00"}],
        reserve_bank_accounts=[{"account_id": "R1", "book": "customer", "bank_id": "B", "bank_name": "Bank",
                                "bank_equity_capital": "1000000000", "cash": "500000",
                                "written_notification": "TRUE"}],
    )
    out = tmp_path / "report"
    r = run("compute", book, "--out", out, "--quiet")
    assert r.exit_code == 0, r.output
    return out


def state_of(out: Path) -> str:
    page = (out / "report.html").read_text(encoding="utf-8")
    start, end = page.index("<!-- signoff:begin -->"), page.index("<!-- signoff:end -->")
    region = page[start:end]
    return region.split('data-signoff-state="', 1)[1].split('"', 1)[0]


def watermark(out: Path) -> str | None:
    page = (out / "report.html").read_text(encoding="utf-8")
    if 'data-watermark="' not in page:
        return None
    return page.split('data-watermark="', 1)[1].split('"', 1)[0]


def snapshot(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def sign_all(out: Path) -> None:
    for role, name in (("preparer", "Alice Smith"), ("reviewer", "Bob Jones"), ("approver", "Carol Wu")):
        r = run("sign", out, "--role", role, "--name", name, "--comment", f"{role} ok")
        assert r.exit_code == 0, r.output


def test_a_new_report_is_draft(report_dir):
    assert state_of(report_dir) == "DRAFT" and watermark(report_dir) == "DRAFT"
    r = run("verify", report_dir)
    assert r.exit_code == 0
    assert r.output.strip().splitlines() == [
        f"DRAFT: {report_dir / 'report.json'} is not signed (unsigned roles: preparer, reviewer, approver)"]
    wb = openpyxl.load_workbook(report_dir / "report.xlsx")
    assert wb["Summary"]["A4"].value.startswith("DRAFT: not approved")
    assert [r[0] for r in wb["Sign-off"].iter_rows(min_row=5, values_only=True)] == ["preparer", "reviewer",
                                                                                     "approver"]


def test_sign_in_order_verify_valid_and_no_longer_draft(report_dir):
    before = (report_dir / "report.json").read_bytes()
    supporting = {p.name: p.read_bytes() for p in (report_dir / "supporting").iterdir()}
    run("sign", report_dir, "--role", "preparer", "--name", "Alice Smith")
    assert state_of(report_dir) == "DRAFT" and watermark(report_dir) == "DRAFT"  # no approver yet
    run("sign", report_dir, "--role", "reviewer", "--name", "Bob Jones")
    r = run("sign", report_dir, "--role", "approver", "--name", "Carol Wu", "--comment", "approved")
    assert r.exit_code == 0, r.output
    assert state_of(report_dir) == "SIGNED" and watermark(report_dir) is None
    # report.json and the supporting files are the very same bytes: the sign-off lives beside them
    assert (report_dir / "report.json").read_bytes() == before
    assert {p.name: p.read_bytes() for p in (report_dir / "supporting").iterdir()} == supporting
    manifest = json.loads((report_dir / ".reserve-outputs.json").read_text())
    assert SIGNOFF_NAME in manifest["files"] and manifest["state"] == "complete"
    r = run("verify", report_dir)
    assert r.exit_code == 0
    lines = r.output.strip().splitlines()
    assert [ln.split()[:2] for ln in lines[:3]] == [["VALID", "preparer"], ["VALID", "reviewer"],
                                                     ["VALID", "approver"]]
    assert "Carol Wu" in lines[2] and lines[-1] == "VALID: 3 signature(s) match report.json; approved"
    record = json.loads((report_dir / SIGNOFF_NAME).read_text())
    sha = read_folder(report_dir).current
    assert [s["report_sha256"] for s in record["signatures"]] == [sha] * 3
    assert all(len(s["signed_at"]) == 20 and s["signed_at"].endswith("Z") for s in record["signatures"])
    # no hidden folder of the switch is left beside the report
    assert [p.name for p in report_dir.parent.iterdir() if p.name.startswith(".")] == []


def test_workbook_sign_off_sheet_lists_the_signatures(report_dir):
    sign_all(report_dir)
    wb = openpyxl.load_workbook(report_dir / "report.xlsx")
    ws = wb["Sign-off"]
    rows = list(ws.iter_rows(min_row=5, values_only=True))
    sha = read_folder(report_dir).current
    assert [(r[0], r[1], r[3], r[4], r[5]) for r in rows] == [
        ("preparer", "Alice Smith", sha[:12], "VALID", "preparer ok"),
        ("reviewer", "Bob Jones", sha[:12], "VALID", "reviewer ok"),
        ("approver", "Carol Wu", sha[:12], "VALID", "approver ok")]
    assert wb["Summary"]["A4"].value.startswith("Signed:")
    assert wb.sheetnames[0] == "Summary" and wb.sheetnames[-1] == "Sign-off"


@pytest.mark.parametrize("steps, role, name, message", [
    ([], "reviewer", "Bob", "no reviewer before a preparer"),
    ([("preparer", "Alice")], "approver", "Carol", "no approver before a reviewer"),
    ([("preparer", "Alice")], "preparer", "Dan", "the preparer has already signed"),
    ([("preparer", "Alice"), ("reviewer", "Bob")], "approver", "  alice ", "the preparer (Alice) may not also approve"),
])
def test_refusals_are_one_line_exit_1_and_write_nothing(report_dir, steps, role, name, message):
    for r_, n_ in steps:
        assert run("sign", report_dir, "--role", r_, "--name", n_).exit_code == 0
    before = snapshot(report_dir)
    r = run("sign", report_dir, "--role", role, "--name", name)
    assert r.exit_code == 1
    assert len(r.output.strip().splitlines()) == 1 and message in r.output and "nothing was written" in r.output
    assert snapshot(report_dir) == before


def test_usage_errors_exit_2(report_dir):
    assert run("sign", report_dir, "--role", "auditor", "--name", "X").exit_code == 2
    assert run("sign", report_dir, "--role", "preparer", "--name", "   ").exit_code == 2
    assert run("sign", report_dir, "--role", "preparer", "--name", "A\x1b[2JB").exit_code == 2
    assert not (report_dir / SIGNOFF_NAME).exists()


def test_a_folder_that_is_not_a_report_folder_is_refused(tmp_path):
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("x")
    for args in (("sign", tmp_path / "other", "--role", "preparer", "--name", "A"), ("verify", tmp_path / "other"),
                 ("verify", tmp_path / "missing")):
        r = run(*args)
        assert r.exit_code == 1 and len(r.output.strip().splitlines()) == 1 and "Error:" in r.output
    assert os.listdir(tmp_path / "other") == ["notes.txt"]


def test_editing_report_json_breaks_every_signature(report_dir):
    sign_all(report_dir)
    path = report_dir / "report.json"
    doc = json.loads(path.read_text())
    figure = doc["computations"]["customer"]["required_deposit"]
    doc["computations"]["customer"]["required_deposit"] = figure[:-1] + str((int(figure[-1]) + 1) % 10)  # one cent
    path.write_text(json.dumps(doc, indent=2))
    r = run("verify", report_dir)
    assert r.exit_code == 1
    lines = r.output.strip().splitlines()
    assert [ln.split()[0] for ln in lines[:3]] == ["INVALID"] * 3
    assert lines[-1].startswith("INVALID: 3 of 3 signature(s) do not match")
    # the page still says SIGNED until it is re-rendered; then it reads INVALID, on every page
    assert state_of(report_dir) == "SIGNED"
    assert run("verify", report_dir, "--render").exit_code == 1
    assert state_of(report_dir) == "INVALID" and watermark(report_dir) == "INVALID"
    ws = openpyxl.load_workbook(report_dir / "report.xlsx")["Sign-off"]
    assert [r[4] for r in ws.iter_rows(min_row=5, values_only=True)] == ["INVALID"] * 3
    # nothing more can be signed on a changed report
    assert run("sign", report_dir, "--role", "approver", "--name", "Eve").exit_code == 1


def test_a_recompute_into_the_folder_replaces_the_signatures(report_dir, tmp_path):
    sign_all(report_dir)
    r = run("compute", tmp_path / "book", "--out", report_dir, "--quiet")
    assert r.exit_code == 0
    assert "had 3 signature(s)" in r.output  # said, on stderr (mixed in by the runner)
    assert not (report_dir / SIGNOFF_NAME).exists()
    assert state_of(report_dir) == "DRAFT"
    assert run("verify", report_dir).output.startswith("DRAFT:")
    assert run("sign", report_dir, "--role", "preparer", "--name", "Alice Smith").exit_code == 0


def test_the_region_rendered_by_compute_is_the_one_sign_renders(report_dir):
    """Re-rendering an unsigned report changes nothing in the page: one renderer for both."""
    page = (report_dir / "report.html").read_text(encoding="utf-8")
    v = view(SignOff(), read_folder(report_dir).current)
    assert render_signoff_block(v).rstrip("\n") in page
    run("verify", report_dir, "--render")
    assert (report_dir / "report.html").read_text(encoding="utf-8") == page


def test_text_from_the_signer_is_escaped(report_dir):
    run("sign", report_dir, "--role", "preparer", "--name", "<script>x</script>", "--comment", "=1+1")
    page = (report_dir / "report.html").read_text(encoding="utf-8")
    assert "<script>x</script>" not in page and "&lt;script&gt;" in page
    cell = openpyxl.load_workbook(report_dir / "report.xlsx")["Sign-off"]["F5"]
    assert cell.value == "=1+1" and cell.data_type == "s"


def test_two_signers_at_once_keep_both_signatures(report_dir):
    """Each `sign` holds a lock on the folder while it reads and rewrites the sign-off."""
    import subprocess
    import sys

    run("sign", report_dir, "--role", "preparer", "--name", "Alice Smith")
    code = ("import sys; from reserve.report.signoff import Role; from reserve.signing import sign; "
            "sign(sys.argv[1], Role(sys.argv[2]), sys.argv[3])")
    # run outside the checkout, so `import reserve` is the installed package (with its
    # reserve.templates), as for a user, not the source folder on the working directory
    procs = [subprocess.Popen([sys.executable, "-c", code, str(report_dir.resolve()), "reviewer", f"R{i}"],
                              stderr=subprocess.PIPE, cwd=report_dir.parent) for i in range(2)]
    results = [p.wait() for p in procs]
    errors = [p.stderr.read().decode() for p in procs if p.stderr]
    assert sorted(results) == [0, 1], errors  # one reviewer signed, the other was refused
    assert any("has already signed" in e for e in errors)
    record = json.loads((report_dir / SIGNOFF_NAME).read_text())
    assert [s["role"] for s in record["signatures"]] == ["preparer", "reviewer"]


def test_signing_rewrites_only_the_sign_off_parts_of_the_workbook(report_dir):
    import zipfile

    def parts(path):
        with zipfile.ZipFile(path) as z:
            return {n: z.read(n) for n in z.namelist()}

    before = parts(report_dir / "report.xlsx")
    run("sign", report_dir, "--role", "preparer", "--name", "Alice Smith")
    after = parts(report_dir / "report.xlsx")
    assert before.keys() == after.keys()
    changed = sorted(n for n in before if before[n] != after[n])
    wb = openpyxl.load_workbook(report_dir / "report.xlsx")
    last = f"xl/worksheets/sheet{len(wb.sheetnames)}.xml"  # the Sign-off sheet is the last
    assert changed == ["xl/worksheets/sheet1.xml", last]  # the Summary (its status cell) and the Sign-off sheet


def test_a_damaged_sign_off_record_is_one_line(report_dir):
    (report_dir / SIGNOFF_NAME).write_text('{"schema": "reserve.signoff/1", "signatures": [{"role": "boss"}]}')
    for args in (("verify", report_dir), ("sign", report_dir, "--role", "preparer", "--name", "A")):
        r = run(*args)
        assert r.exit_code == 1 and len(r.output.strip().splitlines()) == 1
        assert "signoff.json: signature 1 is not a signature record" in r.output


def test_report_json_given_for_its_folder_says_which_folder(report_dir):
    before = snapshot(report_dir)
    for args in (("sign", report_dir / "report.json", "--role", "preparer", "--name", "A"),
                 ("verify", report_dir / "report.json")):
        r = run(*args)
        assert r.exit_code == 1 and len(r.output.strip().splitlines()) == 1
        assert "is a file, not a report folder; give the folder that holds it: " in r.output
        assert str(report_dir) in r.output
    assert snapshot(report_dir) == before  # nothing signed, nothing written
