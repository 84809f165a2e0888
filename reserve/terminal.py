"""Text from a book never reaches a terminal raw.

A firm name, an id or a sheet name may hold terminal control sequences (ESC [ 2 J clears
the screen, ESC ] 8 writes a hidden link, a C1 control or a bidirectional override reorders
what an auditor reads). `safe(text)` removes them: escape sequences (CSI, OSC, DCS and the
other ESC forms) whole, then every other C0 control but tab and newline, DEL, the C1
controls U+0080-U+009F, and the Unicode bidirectional controls. `SafeStream` applies it to
everything the command line prints (stdout and stderr), so no message -- whichever module
built it -- can carry a control sequence through.
"""

from __future__ import annotations

import io
import re
import time
from typing import TextIO

from .progress import Phase, Progress, count_text, done_text

REDRAW_SECONDS = 0.1  # at most ten redraws a second: progress must not cost time itself
KEEP_SECONDS = 0.5  # a phase that took less leaves no line behind (a book has many tiny tables)

# ESC sequences: CSI (ESC [ ... final), OSC / DCS / SOS / PM / APC (ESC ] ... BEL or ST), and
# two-character ESC forms; their 8-bit C1 equivalents (CSI = U+009B, OSC = U+009D, ...).
_ESCAPES = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"  # CSI
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"  # OSC, DCS, SOS, PM, APC
    r"|\x1b[ -/]*[0-~]?"  # other ESC sequences (ESC c, ESC ( B, ...), or a lone ESC
)
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def safe(text: str) -> str:
    """text without terminal control sequences or control characters (tab and newline kept)."""
    if text.isprintable() or not _CONTROLS.search(text):
        return text
    return _CONTROLS.sub("", _ESCAPES.sub("", text))


class SafeStream(io.TextIOBase):
    """A text stream that writes `safe(text)` to the stream it wraps."""

    def __init__(self, stream):
        self._stream = stream

    def write(self, s: str) -> int:
        if not isinstance(s, str):  # a text stream (click probes with bytes to tell text from binary)
            raise TypeError(f"write() argument must be str, not {type(s).__name__}")
        self._stream.write(safe(s))
        return len(s)

    def flush(self) -> None:
        self._stream.flush()

    def isatty(self) -> bool:
        return self._stream.isatty()

    def fileno(self) -> int:
        return self._stream.fileno()

    def writable(self) -> bool:
        return True

    @property
    def encoding(self):  # type: ignore[override]
        return getattr(self._stream, "encoding", "utf-8")

    @property
    def errors(self):  # type: ignore[override]
        return getattr(self._stream, "errors", "strict")


class TerminalProgress(Progress):
    """Progress on a terminal: one line per phase, redrawn in place, then its time."""

    def __init__(self, stream: TextIO):
        # the terminal's own stream: SafeStream would strip the carriage return this redraws with
        self.stream = getattr(stream, "_stream", stream)
        self._last = 0.0

    def _write(self, text: str) -> None:
        self.stream.write(text)
        self.stream.flush()

    def _started(self, p: Phase) -> None:
        self._last = time.perf_counter()
        self._write(f"\r\x1b[K... {safe(p.name)}")

    def _moved(self, p: Phase) -> None:
        now = time.perf_counter()
        if now - self._last < REDRAW_SECONDS:
            return
        self._last = now
        self._write(f"\r\x1b[K... {safe(p.name)} {count_text(p)}")

    def _finished(self, p: Phase) -> None:
        if p.seconds < KEEP_SECONDS:
            self._write("\r\x1b[K")
        else:
            self._write(f"\r\x1b[K... {safe(p.name)}{done_text(p)}\n")
