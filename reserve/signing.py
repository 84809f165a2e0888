"""`reserve sign` and `reserve verify`: the sign-off of a report folder, read and written
(the record and its rules are `reserve.report.signoff`).

Re-rendering never needs the book: the sign-off block of report.html (the region between
`<!-- signoff:begin -->` and `<!-- signoff:end -->`) is rendered from signoff.json and the
hash of report.json, and only the Sign-off sheet and the Summary's status line of
report.xlsx are rewritten (openpyxl). report.json and the supporting files are not touched
(the new set holds hard links to the same files).

The folder changes as one set, through `reserve.outputs.publish`: the new report.html,
report.xlsx and signoff.json are written in a hidden folder beside it with every other file
of the set, and switched in by one rename; signoff.json is listed in the folder's manifest.

A recompute (`reserve compute --out` the same folder) replaces the whole set, signoff.json
included: the signatures were given to the report they hashed, and a recomputed report is a
new one, signed anew (it reads DRAFT; `reserve compute` says how many signatures went with
the old report). A report.json edited by hand keeps its sign-off, which then reads INVALID.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from .outputs import MANIFEST, publish, read_manifest, resolve_out
from .report.signoff import (
    SIGNOFF_NAME,
    Role,
    Signature,
    SignOff,
    SignoffError,
    SignoffView,
    check_new,
    report_hash,
    view,
)

LABEL = "REPORT_DIR"
_REWRITTEN = ("report.html", "report.xlsx", SIGNOFF_NAME, MANIFEST)


@dataclass(frozen=True)
class Folder:
    """A report folder as found: its manifest, report.json's hash, its sign-off."""

    path: Path
    manifest: dict
    current: str
    signoff: SignOff


def read_folder(report_dir: str | os.PathLike[str]) -> Folder:
    """The report folder at report_dir; SignoffError (one line) when it is not one."""
    given = os.fspath(report_dir)
    out = resolve_out(report_dir)
    if not out.is_dir():
        if out.is_file():  # a report.json (or another file) given instead of its folder
            hint = f"; give the folder that holds it: {out.parent}" if out.name == "report.json" else ""
            raise SignoffError(f"{LABEL} {given} is a file, not a report folder{hint}")
        raise SignoffError(f"{LABEL} {given}: no such folder")
    manifest = read_manifest(out)
    if manifest is None or manifest.get("state") != "complete" or not (out / "report.json").is_file():
        raise SignoffError(f"{LABEL} {given} is not a report folder written by `reserve compute` "
                           f"(it needs report.json and {MANIFEST})")
    try:
        current = report_hash((out / "report.json").read_bytes())
        signoff = SignOff.from_json((out / SIGNOFF_NAME).read_text(encoding="utf-8")) \
            if (out / SIGNOFF_NAME).is_file() else SignOff()
    except OSError as exc:
        raise SignoffError(f"{LABEL} {given}: cannot read {exc.filename}: {exc.strerror}") from None
    except SignoffError as exc:
        raise SignoffError(f"{LABEL} {given}: {exc}") from None
    return Folder(out, manifest, current, signoff)


@contextmanager
def _locked(report_dir: str | os.PathLike[str]) -> Iterator[None]:
    """Hold an exclusive flock on the report folder while its sign-off is read and rewritten,
    so two signers at once cannot lose one another's signature. The folder is replaced by
    each write (a new directory under the same name): a waiter that gets the lock on a
    folder no longer at the path takes it again on the one that is."""
    out = resolve_out(report_dir)
    for _ in range(100):
        try:
            fd = os.open(out, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        except OSError:
            yield  # no such folder: read_folder says so
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                same = os.stat(out).st_ino == os.fstat(fd).st_ino
            except OSError:
                same = False
            if same:
                yield
                return
        finally:
            os.close(fd)
    raise SignoffError(f"{LABEL} {os.fspath(report_dir)}: the folder keeps changing; try again")


def now_utc() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def sign(report_dir: str | os.PathLike[str], role: Role, name: str, comment: str = "",
         signed_at: str | None = None) -> tuple[Signature, SignoffView]:
    """Add one signature (SignoffError, nothing written, when the rules refuse it) and
    re-render the sign-off block of the HTML and the workbook."""
    with _locked(report_dir):
        f = read_folder(report_dir)
        try:
            check_new(f.signoff, role, name, f.current)
        except SignoffError as exc:
            raise SignoffError(f"{LABEL} {os.fspath(report_dir)}: {exc}; nothing was written") from None
        sig = Signature(role, name, signed_at or now_utc(), f.current, comment)
        signoff = f.signoff.add(sig)
        return sig, _write(f, signoff)


def render(report_dir: str | os.PathLike[str]) -> SignoffView:
    """Re-render the sign-off block of the HTML and the workbook from signoff.json as it is."""
    with _locked(report_dir):
        f = read_folder(report_dir)
        return _write(f, f.signoff)


def _link_or_copy(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(src, dst, follow_symlinks=False)
    except OSError:
        shutil.copy2(src, dst)


def _write(f: Folder, signoff: SignOff) -> SignoffView:
    v = view(signoff, f.current)
    files = [p for p in f.manifest["files"] if isinstance(p, str)]

    def write(folder: Path) -> list[str]:
        from .report.html import replace_signoff_block
        from .report.xlsx import replace_signoff

        written = []
        for rel in files:  # report.json and the supporting files: the same files, untouched
            if rel not in _REWRITTEN and (f.path / rel).is_file():
                _link_or_copy(f.path / rel, folder / rel)
                written.append(rel)
        if signoff.signatures:
            (folder / SIGNOFF_NAME).write_text(signoff.to_json(), encoding="utf-8")
            written.append(SIGNOFF_NAME)
        if "report.html" in files and (f.path / "report.html").is_file():
            page = (f.path / "report.html").read_text(encoding="utf-8")
            (folder / "report.html").write_text(replace_signoff_block(page, v), encoding="utf-8")
            written.append("report.html")
        if "report.xlsx" in files and (f.path / "report.xlsx").is_file():
            try:
                replace_signoff(f.path / "report.xlsx", folder / "report.xlsx", v)
            except ValueError as exc:
                raise SignoffError(f"{LABEL} {f.path}: {exc}") from None
            written.append("report.xlsx")
        return sorted(written)

    about = {k: val for k, val in f.manifest.items() if k not in ("schema", "run", "state", "files")}
    publish(f.path, write, about, label=LABEL)
    return v


def signatures_in(out_dir: str | os.PathLike[str]) -> int:
    """How many signatures a report folder holds (0 when none, or none readable): what a
    recompute into it discards with the old report."""
    p = resolve_out(out_dir) / SIGNOFF_NAME
    try:
        return len(SignOff.from_json(p.read_text(encoding="utf-8")).signatures) if p.is_file() else 0
    except (OSError, SignoffError):
        return 0
