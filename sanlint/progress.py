"""Progress on a terminal for long work: "sanlint: 1,234 files parsed".

Silent for the first second (most runs end before), then one line on the
stream, rewritten at most ten times a second and erased at the end.  The
CLI installs it only when stderr and stdout are terminals and the output
format is text (sanlint.cli.options.progress_on_terminal)."""

from __future__ import annotations

import atexit
import time
from typing import TextIO


class Progress:
    def __init__(self, stream: TextIO, delay: float = 1.0) -> None:
        self.stream = stream
        self.start = time.monotonic()
        self.delay = delay
        self.count = 0
        self.shown = 0.0
        atexit.register(self.clear)

    def __call__(self, n: int = 1) -> None:
        self.count += n
        now = time.monotonic()
        if now - self.start < self.delay or now - self.shown < 0.1:
            return
        self.shown = now
        self.stream.write(f"\rsanlint: {self.count:,} files parsed")
        self.stream.flush()

    def clear(self) -> None:
        if self.shown:
            self.stream.write("\r\033[K")
            self.stream.flush()
            self.shown = 0.0
