"""`reserve sample DIR`: copy the sample books shipped with the program into DIR.

The books live in the repository's `sample_data/` folder, which is installed as the package
`reserve.sample_data` (see pyproject.toml), so this works the same from a clone and from an
installed wheel. Only finished books (`*.xlsx`) and the README describing them are copied;
the script that generates them stays in the repository.
"""

from __future__ import annotations

import os
import shutil
from functools import partial
from importlib import resources
from pathlib import Path

SAMPLE_PACKAGE = "reserve.sample_data"
README = "README.md"


def sample_books() -> list[str]:
    """Names of the sample books shipped with the program, sorted."""
    root = resources.files(SAMPLE_PACKAGE)
    return sorted(p.name for p in root.iterdir() if p.name.endswith(".xlsx") and not p.name.startswith("~$"))


def write_samples(directory, force: bool = False) -> list[Path]:
    """Copy every sample book (and the README that explains them) into `directory`; returns
    the paths written. `directory` is created when missing (its parent must exist). A file of
    the same name already there is kept -- OutputError, nothing written -- unless `force`.
    Each file is written whole or not at all (a hidden temporary, then one rename)."""
    from .outputs import OutputError, cannot_write, write_file_atomically

    given = os.fspath(directory)
    out = Path(os.path.abspath(given))
    if os.path.lexists(out) and not out.is_dir():
        raise OutputError(f"{given} is a file, not a folder")
    if not out.parent.is_dir():
        raise OutputError(f"{given}: the folder {out.parent} does not exist; create it first "
                          "(reserve creates the folder you name, not the folders above it)")
    root = resources.files(SAMPLE_PACKAGE)
    names = sample_books()
    if not names:
        raise FileNotFoundError(f"no sample books found in the package {SAMPLE_PACKAGE}; "
                                "run sample_data/make_samples.py and reinstall")
    if root.joinpath(README).is_file():
        names.append(README)
    where = out if out.is_dir() else out.parent
    if (why := cannot_write(where)):
        raise OutputError(f"{given}: cannot write in {where} ({why})")
    there = [n for n in names if os.path.lexists(out / n)]
    if there and not force:
        raise OutputError(f"{', '.join(str(Path(given) / n) for n in there)} already exist(s); "
                          "use --force to replace, or choose another folder")
    created = not out.exists()
    try:
        out.mkdir(exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create {given}: {exc.strerror or exc}") from exc
    written = []
    try:
        for name in names:
            with resources.as_file(root.joinpath(name)) as src:
                written.append(write_file_atomically(out / name, partial(shutil.copyfile, src), "", force=True))
    except BaseException:
        for p in written:  # all the samples or none
            p.unlink(missing_ok=True)
        if created:
            shutil.rmtree(out, ignore_errors=True)
        raise
    return [Path(given) / p.name for p in written]
