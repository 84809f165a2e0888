"""The report in a real browser: headless Chromium loads report.html, the requirement is in
the rendered DOM and the console stays silent (no script, no failed resource load).
Skipped when Chromium is not installed (CI installs Debian's `chromium`).

Also renders the PNG screenshot used in the README when asked:

    RESERVE_UPDATE_SCREENSHOT=1 pytest tests/test_report_chromium.py
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from test_report_golden import computed

from reserve.api import write_outputs
from reserve.money import format_display

CHROMIUM = next((p for p in ("/usr/bin/chromium", shutil.which("chromium") or "", shutil.which("chromium-browser") or "")
                 if p and os.path.exists(p)), None)
SCREENSHOT = Path(__file__).resolve().parent.parent / "docs" / "report.png"

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


@pytest.mark.skipif(not os.environ.get("RESERVE_UPDATE_SCREENSHOT"), reason="set RESERVE_UPDATE_SCREENSHOT=1 to render")
def test_update_readme_screenshot(tmp_path):
    from readme_figures import PNG_KEY, headline, stamp_png

    page, report = sample_report(tmp_path)
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    done = chromium(tmp_path, "--window-size=1280,1700", f"--screenshot={SCREENSHOT}", page.as_uri())
    assert done.returncode == 0 and SCREENSHOT.stat().st_size > 10_000, done.stderr[-2000:]
    stamp_png(SCREENSHOT, PNG_KEY, headline(report))  # what the picture shows, checked by tests/test_readme.py
