"""One run's outputs are one set: they appear in the output folder together or not at all,
never beside another run's, and nothing reserve did not write is ever deleted (issue 10,
"What must work" 6).

The design
==========

`publish(out_dir, write)` is how every report folder is written:

1. **Check the folder** (`check_output_dir`): DIR must be a folder or not exist yet, its
   parent must exist (reserve creates DIR, never the folders above it), and DIR, when it
   exists and is not empty, must be a reserve report folder -- it holds the manifest
   `.reserve-outputs.json`, or (a folder written before manifests) one of `report.html`,
   `report.json`, `report.xlsx`, `supporting/`. Anything else is refused with one line
   (`OutputError`): reserve will not take over a folder of other files.
2. **Clean up after killed runs** (`recover`): hidden siblings `.DIR.reserve-new-*` and
   `.DIR.reserve-old-*` that no live run holds (each run holds an `flock` on its folders;
   the kernel drops it when the process dies) are leftovers. A `-new-` folder whose manifest
   names its own run was never switched in: it holds only this program's files and hard
   links, and is removed whole. Any other leftover is a previous set and is removed
   carefully (`discard_set`). A `-old-` folder while DIR is missing is a fallback swap killed
   half-way: it is renamed back to DIR (rolled back). Hidden folders of the earlier design
   (`.DIR.XXXXXXXX`, holding only report files) are removed too.
3. **Write the whole set in a hidden sibling** `.DIR.reserve-new-TOKEN` (same file system, so
   the switch is a rename): first its manifest (`state: writing`, naming the run TOKEN), then
   the outputs, then the user's own files carried over from DIR (hard links, or copies where
   links are impossible; directories recreated), then the manifest again with every file of
   the set (`state: complete`). A user's file is any file in DIR that the previous
   manifest does not list and that is not one of reserve's names (`report.html`,
   `report.json`, `report.xlsx`, the manifest, a file this run writes, and -- in a folder
   without a manifest only -- `supporting/*.parquet`).
4. **Switch in one step**: `renameat2(RENAME_EXCHANGE)` (Linux, through libc) swaps DIR and
   the new folder atomically: at every instant DIR is the whole old set or the whole new set.
   Where the call is unavailable, the fallback renames DIR aside (`.DIR.reserve-old-TOKEN`)
   and the new folder in; a kill between the two renames leaves DIR missing and the old set
   under its `-old-` name, which the next run renames back (the names are the journal).
   A DIR that did not exist is simply renamed into place.
5. **Remove the old set** (`discard_set`): a file is deleted only if the old manifest lists
   it, it is one of reserve's names, or the new DIR holds the same file (same inode: the
   carried hard link, or the same bytes: the carried copy). Anything else -- a file put into
   DIR while the run was writing -- is moved into the new DIR, or, when its name is taken,
   left in the hidden folder with a warning.

What a kill leaves, at each instant: before the switch, DIR is untouched and a hidden
`-new-` folder is left, removed by the next run; between the switch and the removal of the
old set, DIR is the complete new set and the old set is a hidden folder, removed by the next
run; in the fallback between its two renames, DIR is missing until the next run (any
`reserve compute --out DIR`) puts the old set back. A failure that is not a kill (no space,
permission denied, an exception) removes the new folder before the error is reported: DIR is
untouched and nothing is left behind.

A shell whose current folder is DIR sees the old folder after the switch (the path now names
the new one): `cd` into it again. `--out` may not be the current folder or contain it.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import fcntl
import filecmp
import json
import os
import re
import secrets
import shutil
import stat
from pathlib import Path
from typing import Callable, Iterable

MANIFEST = ".reserve-outputs.json"
MANIFEST_SCHEMA = "reserve.outputs/1"
REPORT_FILES = ("report.html", "report.json", "report.xlsx")
SUPPORTING = "supporting"
_MANIFEST_PART = MANIFEST + ".part"

RENAME_EXCHANGE = 2  # linux/fs.h


class OutputError(Exception):
    """The outputs cannot be written where asked; the message is one line for the user.
    Nothing was written (the output folder is as it was)."""


class _NoExchange(Exception):
    """renameat2(RENAME_EXCHANGE) is not available here (not Linux, old kernel, file system)."""


# --------------------------------------------------------------------------- test hooks

def _stage(name: str) -> None:
    """Called at each step of `publish` (tests replace it to simulate a kill or a failure)."""


# --------------------------------------------------------------------------- checks


def resolve_out(out_dir: str | os.PathLike[str]) -> Path:
    """The output folder as an absolute path, a symlink to a folder followed (its target is
    the folder written), `..` resolved."""
    p = Path(os.path.abspath(os.fspath(out_dir)))
    if p.is_symlink() and p.is_dir():
        p = p.resolve()
    return p


def is_reserve_folder(entries: Iterable[str]) -> bool:
    names = set(entries)
    return MANIFEST in names or bool(names & {*REPORT_FILES, SUPPORTING})


def check_output_dir(out_dir: str | os.PathLike[str], label: str = "--out") -> Path:
    """The resolved output folder, or OutputError saying in one line why it cannot be used."""
    given = os.fspath(out_dir)
    out = resolve_out(out_dir)
    if out.parent == out or not out.name:
        raise OutputError(f"{label} {given}: the root folder cannot hold a report; give a folder for it")
    parent = out.parent
    if not parent.exists():
        raise OutputError(f"{label} {given}: the folder {parent} does not exist; create it first "
                          "(reserve creates the report folder, not the folders above it)")
    if not parent.is_dir():
        raise OutputError(f"{label} {given}: {parent} is a file, not a folder")
    if os.path.lexists(out) and not out.is_dir():
        raise OutputError(f"{label} {given} is a file, not a folder; give a folder for the report")
    cwd, real = Path(os.path.realpath(os.getcwd())), Path(os.path.realpath(out))
    if out.is_dir() and (cwd == real or real in cwd.parents):
        raise OutputError(f"{label} {given} is (or contains) the current folder; run reserve from outside it, "
                          "or choose another folder")
    if out.is_dir():
        try:
            entries = os.listdir(out)
        except OSError as exc:
            raise OutputError(f"{label} {given}: cannot read the folder: {exc.strerror}") from exc
        if entries and not is_reserve_folder(entries):
            shown = ", ".join(sorted(entries)[:3]) + (", ..." if len(entries) > 3 else "")
            raise OutputError(f"{label} {given} is a folder holding other files ({shown}), not a reserve report "
                              "folder; choose a new or empty folder (reserve replaces a report folder's contents "
                              "as one set)")
        if (why := cannot_write(out)):
            raise OutputError(f"{label} {given}: the folder cannot be written ({why})")
    if (why := cannot_write(parent)):
        raise OutputError(f"{label} {given}: cannot write in {parent} ({why})")
    return out


def cannot_write(folder: Path) -> str | None:
    """Why nothing can be written in folder (None when it can): a read-only file system, or
    no permission."""
    if os.access(folder, os.W_OK | os.X_OK):
        return None
    try:
        if os.statvfs(folder).f_flag & os.ST_RDONLY:
            return "it is on a read-only file system"
    except (OSError, AttributeError):
        pass
    return "permission denied"


def _os_error(exc: OSError, out: Path) -> OutputError:
    what = exc.strerror or str(exc)
    where = f" ({exc.filename})" if exc.filename else ""
    return OutputError(f"cannot write the report in {out}: {what}{where}; nothing was written")


# --------------------------------------------------------------------------- manifest


def read_manifest(folder: Path) -> dict | None:
    """The manifest of a report folder, or None (none, or unreadable)."""
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("schema") != MANIFEST_SCHEMA or not isinstance(data.get("files"), list):
        return None
    return data


def _write_manifest(folder: Path, doc: dict) -> None:
    part = folder / _MANIFEST_PART
    part.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(part, folder / MANIFEST)


def _walk_files(root: Path) -> tuple[list[str], list[str]]:
    """(files, folders) under root, relative, '/'-separated; links are not followed."""
    files, dirs = [], []
    for top, dnames, fnames in os.walk(root, followlinks=False):
        rel = os.path.relpath(top, root)
        base = "" if rel == "." else rel.replace(os.sep, "/") + "/"
        for d in list(dnames):
            if os.path.islink(os.path.join(top, d)):
                dnames.remove(d)
                files.append(base + d)  # a link to a folder is a file here
            else:
                dirs.append(base + d)
        files += [base + f for f in fnames]
    return sorted(files), sorted(dirs)


def reserve_names(manifest: dict | None, written: Iterable[str] = ()) -> Callable[[str], bool]:
    """A predicate: is this relative path one of reserve's own files (not the user's)?"""
    listed = set(manifest["files"]) if manifest else set()
    listed |= set(written)
    legacy = manifest is None

    def ours(rel: str) -> bool:
        if rel in listed or rel in REPORT_FILES or rel in (MANIFEST, _MANIFEST_PART):
            return True
        parts = rel.split("/")
        return legacy and len(parts) == 2 and parts[0] == SUPPORTING and parts[1].endswith(".parquet")

    return ours


# --------------------------------------------------------------------------- locks


class _Lock:
    """An exclusive flock on a folder, held until released or the process ends."""

    def __init__(self, path: Path, block: bool = True):
        self.fd: int | None = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | (0 if block else fcntl.LOCK_NB))
        except OSError:
            os.close(self.fd)
            raise

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)  # closing drops the flock
            self.fd = None


def _try_lock(path: Path) -> _Lock | None:
    try:
        return _Lock(path, block=False)
    except OSError:
        return None


# --------------------------------------------------------------------------- the switch


def _libc():
    try:
        lib = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        fn = lib.renameat2
    except (OSError, AttributeError):
        return None
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    fn.restype = ctypes.c_int
    return fn


_RENAMEAT2 = _libc()
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> None:
    """Swap two paths in one step: renameat2(RENAME_EXCHANGE). _NoExchange where unavailable."""
    if _RENAMEAT2 is None:
        raise _NoExchange("renameat2 is not available")
    if _RENAMEAT2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE) == 0:
        return
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, getattr(errno, "ENOTSUP", errno.EOPNOTSUPP)):
        raise _NoExchange(os.strerror(err))
    raise OSError(err, os.strerror(err), str(a))


def _rename(a: Path, b: Path) -> None:
    os.rename(a, b)


# --------------------------------------------------------------------------- old sets and leftovers


def _hidden_pattern(name: str) -> re.Pattern:
    return re.compile(r"\." + re.escape(name) + r"\.reserve-(?P<role>new|old)-(?P<token>[0-9a-f]+)")


def _legacy_pattern(name: str) -> re.Pattern:  # tempfile.mkdtemp(prefix=".NAME.") of the first design
    return re.compile(r"\." + re.escape(name) + r"\.[a-z0-9_]{8}")


def _same_file(a: Path, b: Path) -> bool:
    try:
        sa, sb = os.lstat(a), os.lstat(b)
    except OSError:
        return False
    if (sa.st_dev, sa.st_ino) == (sb.st_dev, sb.st_ino):
        return True
    if stat.S_ISREG(sa.st_mode) and stat.S_ISREG(sb.st_mode) and sa.st_size == sb.st_size:
        try:
            return filecmp.cmp(a, b, shallow=False)
        except OSError:
            return False
    if stat.S_ISLNK(sa.st_mode) and stat.S_ISLNK(sb.st_mode):
        return os.readlink(a) == os.readlink(b)
    return False


def discard_set(folder: Path, out: Path | None) -> list[str]:
    """Remove a previous set (an old report folder moved aside): delete reserve's files and the
    files the new `out` also holds; move anything else into `out` (or keep it, when the name is
    taken there). Returns what was kept (relative paths); the folder is removed when empty."""
    ours = reserve_names(read_manifest(folder))
    files, dirs = _walk_files(folder)
    kept = []
    for rel in files:
        src = folder / rel
        try:
            if ours(rel) or (out is not None and _same_file(src, out / rel)):
                os.unlink(src)
                continue
            if out is not None and out.is_dir() and not os.path.lexists(out / rel):
                (out / rel).parent.mkdir(parents=True, exist_ok=True)
                os.rename(src, out / rel)  # a file that came into the folder while the run was writing
                continue
        except FileNotFoundError:
            continue
        kept.append(rel)
    for rel in sorted(dirs, key=lambda d: -d.count("/")):
        try:
            os.rmdir(folder / rel)
        except OSError:
            pass
    try:
        os.rmdir(folder)
    except FileNotFoundError:
        pass
    except OSError:
        return kept
    return kept


def recover(out: Path) -> list[str]:
    """Complete or roll back what a killed run left beside `out`; returns warnings (hidden
    folders kept because they hold files that are not reserve's)."""
    parent, name = out.parent, out.name
    warnings: list[str] = []
    try:
        entries = sorted(os.listdir(parent))
    except OSError:
        return warnings
    hidden, legacy = _hidden_pattern(name), _legacy_pattern(name)
    found = [(e, hidden.fullmatch(e)) for e in entries if hidden.fullmatch(e) or legacy.fullmatch(e)]
    # a fallback switch killed between its two renames: DIR is missing, the old set is aside
    if not os.path.lexists(out):
        for e, m in found:
            if m and m["role"] == "old" and (parent / e).is_dir():
                lock = _try_lock(parent / e)
                if lock is None:
                    continue  # a live run holds it
                try:
                    _rename(parent / e, out)  # roll back to the old set
                except OSError as exc:
                    warnings.append(f"could not put back the previous report set {parent / e}: {exc.strerror}")
                finally:
                    lock.release()
                break
    for e, m in found:
        folder = parent / e
        if not folder.is_dir() or folder.is_symlink() or not os.path.lexists(folder):
            continue
        lock = _try_lock(folder)
        if lock is None:
            continue  # a live run is writing it
        try:
            warnings += _clean_leftover(folder, m, out)
        except OSError as exc:
            warnings.append(f"could not remove {folder}, left by an earlier run: {exc.strerror or exc}")
        finally:
            lock.release()
    return warnings


def _clean_leftover(folder: Path, m: re.Match | None, out: Path) -> list[str]:
    """Remove one hidden folder left by a killed run; warnings for what had to be kept."""
    if m is None:  # the first design's hidden folder: removed when it holds report files only
        if all(reserve_names(None)(f) for f in _walk_files(folder)[0]):
            shutil.rmtree(folder)
        return []
    manifest = read_manifest(folder)
    if m["role"] == "new" and manifest is not None and manifest.get("run") == m["token"]:
        shutil.rmtree(folder)  # never switched in: this program's files and hard links only
        return []
    if m["role"] == "new" and manifest is None and not _walk_files(folder)[0]:
        shutil.rmtree(folder)  # killed before its manifest was written
        return []
    kept = discard_set(folder, out if out.is_dir() else None)  # a previous set moved aside
    return [f"kept {folder}: it holds files reserve did not write ({', '.join(kept[:3])})"] if kept else []


# --------------------------------------------------------------------------- carrying the user's files


def _carry(src: Path, dst: Path) -> None:
    """The user's file at src into the new set at dst: a hard link (same file), else a copy."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(src, dst, follow_symlinks=False)
        return
    except FileExistsError:
        raise OutputError(f"{src} is not a file reserve wrote, but the new report has a file of that name; "
                          "move it away and run again") from None
    except OSError:
        pass  # no hard links here (file system, protected links): copy
    if src.is_symlink():
        os.symlink(os.readlink(src), dst)
    else:
        shutil.copy2(src, dst)


def carry_user_files(old: Path, new: Path, ours: Callable[[str], bool]) -> list[str]:
    """Every file of `old` that is not reserve's into `new` (same relative path); the user's
    folders too, empty ones included. Returns the files carried."""
    files, dirs = _walk_files(old)
    for d in dirs:
        if (new / d).exists() and not (new / d).is_dir():
            raise OutputError(f"{old / d} is a folder, but the new report has a file of that name; move it away")
        if d != SUPPORTING and not os.listdir(old / d):
            (new / d).mkdir(parents=True, exist_ok=True)  # the user's empty folder (others come with their files)
    carried = []
    for rel in files:
        if ours(rel):
            continue
        _carry(old / rel, new / rel)
        carried.append(rel)
    return carried


# --------------------------------------------------------------------------- publish


def publish(out_dir: str | os.PathLike[str], write: Callable[[Path], list[str]], manifest: dict | None = None,
            label: str = "--out") -> tuple[Path, list[str], list[str]]:
    """Write one set of outputs into out_dir as described in the module docstring.

    `write(folder)` writes the outputs into `folder` and returns their relative paths.
    Returns (the output folder, the relative paths written, warnings). Raises OutputError
    (one line; nothing written) when the folder cannot be used or written."""
    out = check_output_dir(out_dir, label)
    parent, name = out.parent, out.name
    warnings = recover(out)
    token = secrets.token_hex(8)
    staging = parent / f".{name}.reserve-new-{token}"
    doc = {"schema": MANIFEST_SCHEMA, "run": token, "state": "writing", **(manifest or {}), "files": []}
    lock = old_lock = None
    switched = False
    try:
        try:
            staging.mkdir(mode=0o700)
            lock = _Lock(staging)
            _write_manifest(staging, doc)
            _stage("staging")
            written = list(write(staging))
            _stage("written")
            existed = out.is_dir()
            if existed:
                previous = read_manifest(out)
                ours = reserve_names(previous, written)
                carry_user_files(out, staging, ours)
                mode = stat.S_IMODE(os.stat(out).st_mode)
            else:
                umask = os.umask(0)
                os.umask(umask)
                mode = 0o777 & ~umask
            _stage("carried")
            doc.update(state="complete", files=sorted(set(written) | {MANIFEST}))
            _write_manifest(staging, doc)
            os.chmod(staging, mode)
            _stage("complete")
            if not existed:
                _rename(staging, out)
                switched = True
                return out, written, warnings
            old_lock = _try_lock(out)  # the old set stays locked while it is moved aside and removed
            try:
                _exchange(staging, out)
                switched = True
                _stage("exchanged")
                aside = staging  # the old set now has the hidden name
            except _NoExchange:
                aside = parent / f".{name}.reserve-old-{token}"
                _rename(out, aside)
                _stage("aside")
                try:
                    _rename(staging, out)
                except BaseException:
                    _rename(aside, out)  # roll back
                    raise
                switched = True
                _stage("renamed")
        except OSError as exc:
            raise _os_error(exc, out) from exc
        try:
            kept = discard_set(aside, out)
        except OSError as exc:  # the new set is in place; the next run removes the old one
            warnings.append(f"could not remove the previous report set {aside}: {exc.strerror or exc}")
        else:
            if kept:
                warnings.append(f"kept {aside}: it holds files reserve did not write ({', '.join(kept[:3])})")
        return out, written, warnings
    except BaseException:
        if not switched:
            shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        for lk in (lock, old_lock):
            if lk is not None:
                lk.release()


def _temp_pattern(p: Path) -> re.Pattern:
    return re.compile(r"\." + re.escape(p.name) + r"\.reserve-[0-9a-f]{8}" + re.escape(p.suffix))


def _remove_stale_temps(p: Path) -> None:
    """Remove the hidden temporary files a killed run left beside p (no live run holds their lock)."""
    pattern = _temp_pattern(p)
    try:
        entries = os.listdir(p.parent)
    except OSError:
        return
    for e in entries:
        if not pattern.fullmatch(e):
            continue
        stale = p.parent / e
        try:
            fd = os.open(stale, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            continue  # a live run is writing it
        else:
            try:
                os.unlink(stale)
            except OSError:
                pass
        finally:
            os.close(fd)


def check_output_file(path: str | os.PathLike[str], label: str = "", force: bool = True,
                      ours: Callable[[Path], bool] | None = None) -> Path:
    """The absolute path of an output file that can be written, or OutputError (one line):
    its folder must exist and be writable, PATH must not be a folder, and without `force` an
    existing PATH is refused unless `ours(path)` says reserve wrote it."""
    given = os.fspath(path)
    named = f"{label} {given}" if label else given
    p = Path(os.path.abspath(given))
    parent = p.parent
    if not parent.exists():
        raise OutputError(f"{named}: the folder {parent} does not exist; create it first")
    if not parent.is_dir():
        raise OutputError(f"{named}: {parent} is a file, not a folder")
    if p.is_dir():
        raise OutputError(f"{named} is a folder; give a file name")
    if os.path.lexists(p) and not force and not (ours and ours(p)):
        if ours is not None:
            raise OutputError(f"{named} exists and is not a file reserve wrote; choose another name (it is kept)")
        raise OutputError(f"{named} already exists; use --force to replace it")
    if (why := cannot_write(parent)):
        raise OutputError(f"{named}: cannot write in {parent} ({why})")
    return p


def write_file_atomically(path: str | os.PathLike[str], write: Callable[[Path], None], label: str, force: bool = True,
                          ours: Callable[[Path], bool] | None = None) -> Path:
    """Write one file: into a hidden sibling, then renamed over PATH in one step (a complete
    file or none). PATH's folder must exist. Without `force`, an existing PATH is refused
    unless `ours(path)` says reserve wrote it. OutputError (one line) otherwise.

    The hidden file is locked (flock) while it is written; one a killed run left behind (no
    lock held) is removed by the next write of the same PATH."""
    p = check_output_file(path, label, force, ours)
    given = os.fspath(path)
    parent = p.parent
    _remove_stale_temps(p)
    tmp = parent / f".{p.name}.reserve-{secrets.token_hex(4)}{p.suffix}"
    fd = None
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        fcntl.flock(fd, fcntl.LOCK_EX)  # on the inode: held while `write` rewrites the file by its path
        write(tmp)
        os.replace(tmp, p)
    except OSError as exc:
        raise OutputError(f"cannot write {given}: {exc.strerror or exc}; nothing was written") from exc
    finally:
        if fd is not None:
            os.close(fd)
        try:
            os.unlink(tmp)
        except OSError:  # gone (renamed into place), or a file system that refuses (it was never made)
            pass
    return p
