"""The command line's memory policy: freed memory is kept for the next array (issue 13).

A run over a big book makes and drops many arrays of tens of millions of elements (a 10M-row
int64 column is 80 MB). By default glibc gives each allocation above its mmap threshold its
own mapping and unmaps it when freed, and numpy asks the kernel for transparent huge pages
on every big array; so each new array is fresh memory the kernel must find, zero and map
page by page. Measured on the 2-core benchmark machine (a virtual machine, bench/README.md):
touching fresh memory costs about 0.4 s of kernel time per GiB (1.5 s per GiB when huge
pages are asked for), against 0.16 s per GiB for memory the process already has; on the
10M-account book that was 9-10 s of kernel time in a 17-19 s `--format json` run, and
with this policy 5-7 s (a run of 14.5-15 s).

The policy, set by the command line for a command that loads a book (never by the library:
`reserve.api` leaves the process as it finds it):

- Arrow's buffers from jemalloc (`arrow_from_jemalloc`).
- numpy: no request for transparent huge pages (`_set_madvise_hugepage(False)`, the
  runtime form of NUMPY_MADVISE_HUGEPAGE=0), for the whole run.
- glibc (`mallopt`), while the book is loaded and computed (`keep_freed_memory`): no
  allocation gets its own mapping (M_MMAP_MAX = 0) and the heap goes back to the kernel
  only when more than 2 GiB is free at its top (M_TRIM_THRESHOLD), so a freed array's memory
  serves the next one. Before the report writers (`give_back_freed_memory`): the heap's free
  memory is handed back (`malloc_trim`), and from then on an allocation above 64 MiB has its
  own mapping again (M_MMAP_THRESHOLD, fixed: glibc's default of 128 KiB adapts up to 32 MiB)
  and the heap keeps at most 256 MiB free at its top. The writers allocate through Arrow's own
  allocator as much as through glibc, and memory kept by one is not there for the other: kept
  whole through the writers, the 10M-account run's peak grew from 5.0 to 5.9 GiB. With glibc's
  defaults the writers' million-row batches (8 MB a column) were each fresh mappings: 1.6
  million page faults and 4-5 s of kernel time in the audit trail; with the 64 MiB threshold
  the batches reuse the heap (0.5 million faults, 2.5 s less kernel time, the run 1.3 s
  shorter) for 0.2 GiB more at the peak (4.8 -> 5.0 GiB), and an array of the whole book
  (tens of millions of elements) is still mapped and unmapped on its own.

Each part is skipped where it does not apply (another C library, another platform, a numpy
without the switch, a pyarrow without jemalloc): the outputs never depend on it, only the time.
"""

from __future__ import annotations

import ctypes
import os
import sys
from typing import Any

M_TRIM_THRESHOLD = -1  # glibc malloc.h
M_MMAP_THRESHOLD = -3
M_MMAP_MAX = -4
TRIM_THRESHOLD_BYTES = 2**31 - 1  # mallopt takes an int: the largest, about 2 GiB
MMAP_MAX_DEFAULT = 65536  # glibc's DEFAULT_MMAP_MAX
WRITERS_MMAP_THRESHOLD = 64 << 20  # the writers: an allocation above this has its own mapping
WRITERS_TRIM_THRESHOLD = 256 << 20  # ... and the heap keeps at most this much free at its top
_kept = False  # whether keep_freed_memory changed glibc's settings (give_back_freed_memory undoes them)


def _libc() -> Any:
    """glibc's functions, or None (another platform or C library: nothing to tune)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None)
        libc.mallopt.argtypes, libc.mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
        libc.malloc_trim.argtypes, libc.malloc_trim.restype = (ctypes.c_size_t,), ctypes.c_int
    except (OSError, AttributeError):
        return None
    return libc


def keep_freed_memory() -> list[str]:
    """The policy of this module's docstring for the loading and computing; the parts
    applied, by name."""
    global _kept
    applied: list[str] = []
    libc = _libc()
    # mallopt returns 1 on success (glibc); musl's stub returns 0 and changes nothing
    if libc is not None and libc.mallopt(M_MMAP_MAX, 0) == 1:
        libc.mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD_BYTES)
        _kept = True
        applied.append("glibc heap kept")
    import numpy as np

    core = getattr(np, "_core", None) or getattr(np, "core", None)  # numpy 2, numpy 1.26
    switch = getattr(getattr(core, "multiarray", None), "_set_madvise_hugepage", None)
    if switch is not None:
        switch(False)
        applied.append("numpy no huge-page advice")
    return applied


def arrow_from_jemalloc() -> None:
    """Arrow's buffers from jemalloc: the run frees and allocates ten-million-row buffers batch
    after batch, and jemalloc hands freed memory back sooner than pyarrow's default allocator
    here -- the 10M-account run's peak was 5.67 GiB against 5.92, in the same time. A choice
    made with ARROW_DEFAULT_MEMORY_POOL is kept, and a pyarrow built without jemalloc keeps
    its default."""
    if os.environ.get("ARROW_DEFAULT_MEMORY_POOL"):
        return
    import pyarrow as pa

    try:
        pa.set_memory_pool(pa.jemalloc_memory_pool())
    except NotImplementedError:  # pragma: no cover - the PyPI wheels for Linux and macOS have it
        pass


def give_back_freed_memory() -> None:
    """Before the report writers: glibc hands the heap's free memory back to the kernel, then
    maps an allocation above 64 MiB on its own and trims the heap above 256 MiB free (see the
    module docstring; nothing to do unless keep_freed_memory kept the heap)."""
    global _kept
    libc = _libc() if _kept else None
    if libc is not None:
        libc.malloc_trim(0)
        libc.mallopt(M_MMAP_MAX, MMAP_MAX_DEFAULT)
        libc.mallopt(M_MMAP_THRESHOLD, WRITERS_MMAP_THRESHOLD)
        libc.mallopt(M_TRIM_THRESHOLD, WRITERS_TRIM_THRESHOLD)
    _kept = False
