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
