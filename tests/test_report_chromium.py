"""The report in a real browser: headless Chromium loads report.html, the requirement is in
the rendered DOM and the console stays silent (no script, no failed resource load).
Skipped when Chromium is not installed (CI installs Debian's `chromium`).

On screen: the exceptions filter (radio inputs and CSS, no script in the page) hides what it
should, checked on a copy of the page with a filter pre-selected and a probe script added
(the probe is the test's, never the report's). On paper: the page printed to PDF
(`--print-to-pdf --no-pdf-header-footer`) and read back with `pdftotext` (Debian's
poppler-utils; the print tests are skipped without it) has the footer (firm, as-of date,
"Page x of y") on every page, both summary cards on page 1, DRAFT (or INVALID) on every page
of a report not approved (or no longer matching its signatures) and none on a signed one,
and every exception printed, closed groups expanded.

Also renders the README's pictures when asked (the top of the screen, the Exceptions
section, and the first printed page through `pdftoppm -r 60`), under docs/img/, each under
300 KB:

    RESERVE_UPDATE_SCREENSHOT=1 pytest tests/test_report_chromium.py -k screenshot
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from test_html_scale import many_exceptions
from test_report_golden import computed

from reserve.api import write_outputs
from reserve.money import format_display
from reserve.report.html import replace_signoff_block
from reserve.report.signoff import Role, Signature, SignOff, view

CHROMIUM = next((p for p in ("/usr/bin/chromium", shutil.which("chromium") or "", shutil.which("chromium-browser") or "")
                 if p and os.path.exists(p)), None)
IMG = Path(__file__).resolve().parent.parent / "docs" / "img"
SCREENSHOT = IMG / "report-screen.png"  # the top of the page, as a treasurer sees it
PRINTED = IMG / "report-print.png"  # the first printed page
EXCEPTIONS = IMG / "report-exceptions.png"  # the Exceptions section alone (the page's other sections hidden)
PDFTOTEXT = shutil.which("pdftotext")
needs_pdftotext = pytest.mark.skipif(PDFTOTEXT is None, reason="pdftotext (poppler-utils) is not installed")

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    profile = tmp_path / "chromium-profile"
    profile.mkdir(exist_ok=True)
    return subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
         f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0", *args],
        capture_output=True, text=True, timeout=180)


def sample_report(tmp_path: Path) -> tuple[Path, dict]:
    """report.html of the shipped sample book (`reserve sample`), or of the golden tests'
    inline book when no sample is installed."""
    try:
        from reserve.api import compute_book
        from reserve.report.model import build_report
        from reserve.samples import write_samples

        books = [p for p in write_samples(tmp_path / "samples") if p.name == "weekly_book.xlsx"]
    except (ImportError, FileNotFoundError):
        books = []
    if books:
        b, result = compute_book(books[0])
        report = build_report(b, result)
    else:
        b, result, report = computed(tmp_path / "book")
    write_outputs(tmp_path / "out", b, result, ("html",), report=report)
    return tmp_path / "out" / "report.html", report


def test_chromium_renders_the_requirement_without_console_errors(tmp_path):
    page, report = sample_report(tmp_path)
    done = chromium(tmp_path, "--dump-dom", page.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    dom = done.stdout
    required = "$" + format_display(report.computations["customer"].required_deposit)
    assert f'data-figure="customer-required">{required}<' in dom
    console = [x for x in done.stderr.splitlines() if ":CONSOLE" in x]
    assert not console, "\n".join(console)


def print_pdf(tmp_path: Path, page: Path, name: str = "report.pdf") -> Path:
    pdf = tmp_path / name
    done = chromium(tmp_path, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.as_uri())
    assert done.returncode == 0 and pdf.exists(), done.stderr[-2000:]
    return pdf


def pdf_pages(pdf: Path) -> list[str]:
    """The text of each printed page, in reading order (`pdftotext -raw`; pages end with a form feed)."""
    done = subprocess.run([PDFTOTEXT, "-raw", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True,
                          timeout=120, check=True)
    pages = done.stdout.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("chromium-sample")
    page, report = sample_report(tmp)
    return tmp, page, report


@pytest.fixture(scope="module")
def printed(sample):
    tmp, page, report = sample
    return pdf_pages(print_pdf(tmp, page)), report


@needs_pdftotext
def test_every_printed_page_has_the_footer_page_x_of_y_and_draft(printed):
    pages, report = printed
    n = len(pages)
    assert n > 1
    for i, text in enumerate(pages, 1):
        lines = [ln.strip() for ln in text.splitlines()]
        assert f"Page {i} of {n}" in lines, (i, text[:300])
        assert f"{report.firm_name} · Rule 15c3-3 reserve computation as of {report.as_of.isoformat()}" in lines, i
        # an unsigned report: DRAFT in the top margin and as the watermark, on every page
        assert "DRAFT: not approved" in lines and "DRAFT" in lines, (i, text[:300])


@needs_pdftotext
def test_the_first_printed_page_holds_both_summary_cards(printed):
    pages, report = printed
    first = pages[0]
    for name, title in (("customer", "Customer reserve computation"), ("pab", "PAB reserve computation")):
        c = report.computations[name]
        assert title in first
        assert "$" + format_display(c.required_deposit) in first, name
        assert "$" + format_display(c.on_deposit) in first, name
    assert first.count("Required deposit") >= 2


def signed_page(page: Path, tmp: Path, current: str, approver_hash: str) -> Path:
    """report.html with its sign-off region re-rendered for three signatures, the approver's
    naming `approver_hash`, against the report.json hash `current`."""
    sigs = tuple(Signature(role, name, "2026-11-23T15:00:00Z", h) for role, name, h in (
        (Role.PREPARER, "Alice Smith", current), (Role.REVIEWER, "Bob Jones", current),
        (Role.APPROVER, "Carol Wu", approver_hash)))
    out = tmp / f"signed-{approver_hash[:4]}.html"
    out.write_text(replace_signoff_block(page.read_text(encoding="utf-8"), view(SignOff(sigs), current)),
                   encoding="utf-8")
    return out


@needs_pdftotext
def test_invalid_on_every_printed_page_and_nothing_once_signed(sample):
    tmp, page, _ = sample
    good, stale = "a" * 64, "b" * 64
    invalid = pdf_pages(print_pdf(tmp, signed_page(page, tmp, good, stale), "invalid.pdf"))
    for i, text in enumerate(invalid, 1):
        lines = [ln.strip() for ln in text.splitlines()]
        assert "INVALID: a signature no longer matches report.json" in lines and "INVALID" in lines, i
        assert "DRAFT" not in text, i
    signed = pdf_pages(print_pdf(tmp, signed_page(page, tmp, good, good), "signed.pdf"))
    assert len(signed) == len(invalid)
    assert not any("DRAFT" in t or "INVALID" in t for t in signed)
    assert all(f"Page {i} of {len(signed)}" in t for i, t in enumerate(signed, 1))


@pytest.fixture(scope="module")
def many(tmp_path_factory):
    """report.html of the golden book with 150 exceptions over 30 rules (a third of the groups
    hold a severe one and are open; the others are closed)."""
    tmp = tmp_path_factory.mktemp("chromium-many")
    b, result, report = computed(tmp / "book")
    report = many_exceptions(report, n=150)
    write_outputs(tmp / "out", b, result, ("html",), report=report)
    return tmp, tmp / "out" / "report.html", report


@needs_pdftotext
def test_closed_exception_groups_print_expanded(many):
    tmp, page, report = many
    html = page.read_text(encoding="utf-8")
    listed = html[html.index('<section id="exceptions">'):]
    assert listed.count("<details open>") == 10 and listed.count("<details>") == 20
    text = "\n".join(pdf_pages(print_pdf(tmp, page)))
    missing = [e.id for e in report.exceptions if e.id not in text]
    assert not missing, f"{len(missing)} exceptions not printed, e.g. {missing[:3]}"
    assert "Severity: all" not in text  # the filter bar is not printed


PROBE = """<script>
const rows = [...document.querySelectorAll("#exceptions tr[data-id]")];
const shown = (el) => getComputedStyle(el).display !== "none";
const visible = rows.filter((tr) => shown(tr) && shown(tr.closest(".group")));
const groups = [...document.querySelectorAll("#exceptions .group")].filter(shown);
const showing = [...document.querySelectorAll(".xshowing span")].filter(shown).map((s) => s.textContent);
document.body.setAttribute("data-probe", JSON.stringify({ids: visible.map((tr) => tr.dataset.id),
  groups: groups.length, showing}));
</script>"""


@pytest.mark.parametrize("sev,comp", [("all", "all"), ("severe", "all"), ("all", "pab"), ("info", "book"),
                                      ("severe", "pab")])
def test_the_filter_shows_what_it_says_without_script_in_the_page(many, sev, comp):
    tmp, page, report = many
    html = page.read_text(encoding="utf-8")
    assert "<script" not in html
    probe = re.sub(r'(<input type="radio" class="xradio" name="xf-(sev|comp)" id="xf-\2-[a-z]+") checked>', r"\1>", html)
    probe = probe.replace(f'id="xf-sev-{sev}">', f'id="xf-sev-{sev}" checked>', 1)
    probe = probe.replace(f'id="xf-comp-{comp}">', f'id="xf-comp-{comp}" checked>', 1)
    probe = probe.replace("</body>", PROBE + "</body>")
    copy = tmp / f"probe-{sev}-{comp}.html"
    copy.write_text(probe, encoding="utf-8")
    done = chromium(tmp, "--dump-dom", copy.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    got = json.loads(re.search(r'data-probe="([^"]*)"', done.stdout).group(1).replace("&quot;", '"'))
    scope = {"customer": "customer", "pab": "pab", None: "book"}
    want = [e for e in report.exceptions if sev in ("all", e.severity)
            and comp in ("all", scope[e.computation.value if e.computation else None])]
    assert sorted(got["ids"]) == sorted(e.id for e in want)
    n, g = len(want), len({e.rule for e in want})
    assert got["groups"] == g
    assert got["showing"] == [f"Showing {n} exception{'s' if n != 1 else ''} in {g} group{'s' if g != 1 else ''}."]


@pytest.mark.skipif(not os.environ.get("RESERVE_UPDATE_SCREENSHOT"), reason="set RESERVE_UPDATE_SCREENSHOT=1 to render")
def test_update_readme_screenshot(tmp_path):
    from readme_figures import PNG_KEY, headline, stamp_png
    from readme_figures import SCREENSHOT as README_SCREENSHOT  # the picture tests/test_readme.py checks

    page, report = sample_report(tmp_path)
    IMG.mkdir(parents=True, exist_ok=True)
    done = chromium(tmp_path, "--window-size=1200,1100", f"--screenshot={SCREENSHOT}", page.as_uri())
    assert done.returncode == 0 and SCREENSHOT.stat().st_size > 10_000, done.stderr[-2000:]
    # the Exceptions section: a copy of the page with a style hiding the other sections
    # (a headless screenshot cannot scroll to #exceptions)
    alone = tmp_path / "exceptions.html"
    alone.write_text(page.read_text(encoding="utf-8").replace(
        "</head>", "<style>main > :not(#exceptions) { display: none; }</style></head>", 1), encoding="utf-8")
    done = chromium(tmp_path, "--window-size=1200,900", f"--screenshot={EXCEPTIONS}", alone.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    pdf = print_pdf(tmp_path, page)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                    str(PRINTED.with_suffix(""))], check=True, timeout=120)
    for png in (SCREENSHOT, PRINTED, EXCEPTIONS):
        stamp_png(png, PNG_KEY, headline(report))  # what the picture shows (tests/test_readme.py reads the stamp)
        assert 10_000 < png.stat().st_size < 300_000, (png, png.stat().st_size)
    if README_SCREENSHOT != SCREENSHOT:  # until readme_figures names docs/img/report-screen.png: the same picture
        shutil.copyfile(SCREENSHOT, README_SCREENSHOT)
