"""The sample's figures as the documentation states them, made by the program.

The README shows what `reserve compute` prints for the sample book; sample_data/README.md
states its headline result; docs/img/report-screen.png (the README's screenshot) carries the same
headline in a PNG text chunk, stamped when the screenshot is rendered. tests/test_readme.py
checks all three against the program, so documented figures cannot drift from it.

When the program's figures for the sample change (deliberately), regenerate all three:

    python tests/readme_figures.py            # README.md's printed summary, sample_data/README.md's sentence
    RESERVE_UPDATE_SCREENSHOT=1 pytest tests/test_report_chromium.py -k screenshot   # Debian's `chromium`

and update the figures pinned in tests/test_samples.py `test_sample_headline_figures`.
"""

from __future__ import annotations

import re
import struct
import sys
import textwrap
import zlib
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data" / "weekly_book.xlsx"
SCREENSHOT = ROOT / "docs" / "img" / "report-screen.png"
PNG_KEY = "reserve-sample-headline"


@lru_cache(maxsize=1)
def sample_report() -> dict:
    from reserve.api import compute_book
    from reserve.report.model import build_report

    b, result = compute_book(SAMPLE)
    return build_report(b, result)


def summary_block(report: dict) -> str:
    """What `reserve compute sample_data/weekly_book.xlsx` prints before its `wrote` lines."""
    from reserve.report.summary import summary, summary_text

    return summary_text(summary(report))


def headline(report: dict) -> str:
    """The sample's result in the sentence sample_data/README.md states."""
    from reserve.money import format_display, parse_decimal_text
    from reserve.report.summary import summary

    s = summary(report).to_dict()

    def usd(v) -> str:
        return "$" + format_display(parse_decimal_text(v))

    def part(name: str, title: str) -> str:
        c = s[name]
        text = f"{title} required deposit {usd(c['required_deposit'])}"
        if parse_decimal_text(c["offset_by_customer_excess_debits"]):
            text += f", less {usd(c['offset_by_customer_excess_debits'])} offset by customer excess debits"
        if parse_decimal_text(c["sweep"]):
            text += f", less {usd(c['sweep'])} of next-day sweep credits"
        text += f", on deposit {usd(c['on_deposit'])}: "
        if c["result"] == "deposit needed":
            text += f"**deposit needed {usd(c['deposit_needed'])} by {c['deposit_deadline']}**"
        elif c["result"] == "withdrawal permitted":
            text += f"**no deposit needed; withdrawal permitted {usd(c['withdrawal_permitted'])}**"
        else:
            text += "**no deposit needed, no withdrawal permitted**"
        return text

    by = s["exceptions_by_severity"]
    return (f"{part('customer', 'Customer')}. {part('pab', 'PAB')}. {s['exceptions']} exceptions "
            f"({by['severe']} severe, {by['review']} review, {by['info']} info).")


# ------------------------------------------------------------------------------ PNG text chunk


def _chunks(data: bytes):
    pos = 8
    while pos < len(data):
        (n,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        yield pos, kind, data[pos + 8:pos + 8 + n], pos + 12 + n
        pos += 12 + n


def png_text(path: Path) -> dict[str, str]:
    """The tEXt chunks of a PNG: {keyword: text}."""
    data = path.read_bytes()
    out = {}
    for _, kind, body, _ in _chunks(data):
        if kind == b"tEXt":
            key, _, text = body.partition(b"\0")
            out[key.decode("latin-1")] = text.decode("latin-1")
    return out


def stamp_png(path: Path, key: str, text: str) -> None:
    """Put a tEXt chunk (keyword `key`) just before the PNG's IEND, replacing one of that key."""
    data = path.read_bytes()
    body = key.encode("latin-1") + b"\0" + text.encode("latin-1", "replace")
    chunk = struct.pack(">I", len(body)) + b"tEXt" + body + struct.pack(">I", zlib.crc32(b"tEXt" + body))
    kept = bytearray(data[:8])
    for start, kind, content, end in _chunks(data):
        if kind == b"tEXt" and content.partition(b"\0")[0] == key.encode("latin-1"):
            continue
        if kind == b"IEND":
            kept += chunk
        kept += data[start:end]
    path.write_bytes(bytes(kept))


# ------------------------------------------------------------------------------ regenerating the documents


def update_documents() -> list[Path]:
    """Write the program's sample figures into README.md and sample_data/README.md; the files changed."""
    report = sample_report()
    changed = []
    readme = ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    # the ```text block right after the first command ("... and prints:")
    new = re.sub(r"(and prints:\n\n```text\n).*?(\n```)", lambda m: m[1] + summary_block(report) + m[2], text,
                 count=1, flags=re.S)
    if new != text:
        readme.write_text(new, encoding="utf-8")
        changed.append(readme)
    sample_readme = ROOT / "sample_data" / "README.md"
    text = sample_readme.read_text(encoding="utf-8")
    sentence = textwrap.fill(headline(report), width=92)
    new = re.sub(r"(pins the figures\):\n\n).*?(\n\n)", lambda m: m[1] + sentence + m[2], text, count=1, flags=re.S)
    if new != text:
        sample_readme.write_text(new, encoding="utf-8")
        changed.append(sample_readme)
    return changed


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    for p in update_documents():
        print(f"updated {p.relative_to(ROOT)}")
