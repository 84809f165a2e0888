"""`reserve sample DIR`: copy the sample books shipped with the program into DIR.

The books live in the repository's `sample_data/` folder, which is installed as the package
`reserve.sample_data` (see pyproject.toml), so this works the same from a clone and from an
installed wheel. Only finished books (`*.xlsx`) and the README describing them are copied;
the script that generates them stays in the repository.
"""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

SAMPLE_PACKAGE = "reserve.sample_data"
README = "README.md"


def sample_books() -> list[str]:
    """Names of the sample books shipped with the program, sorted."""
    root = resources.files(SAMPLE_PACKAGE)
    return sorted(p.name for p in root.iterdir() if p.name.endswith(".xlsx") and not p.name.startswith("~$"))


def write_samples(directory) -> list[Path]:
    """Copy every sample book (and the README that explains them) into `directory`, creating
    it if needed; returns the paths written. Existing files of the same names are replaced."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    root = resources.files(SAMPLE_PACKAGE)
    names = sample_books()
    if not names:
        raise FileNotFoundError(f"no sample books found in the package {SAMPLE_PACKAGE}; "
                                "run sample_data/make_samples.py and reinstall")
    if root.joinpath(README).is_file():
        names.append(README)
    written = []
    for name in names:
        target = out / name
        tmp = out / f".{name}.tmp"
        with resources.as_file(root.joinpath(name)) as src:
            shutil.copyfile(src, tmp)
        tmp.replace(target)  # a complete file or none
        written.append(target)
    return written
