"""One firing process per store: an exclusive ``fcntl.flock`` on a lock file next to the store.

The OS drops the lock when its holder exits or is killed, so a standby process takes over on its
next attempt. The holder writes its pid into the file so that others can say who holds it.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

__all__ = ["StoreLock"]


class StoreLock:
    """A non-blocking exclusive lock on ``path``; not re-entrant, one per plugin instance."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> bool:
        """Try once; True if this instance now holds (or already held) the lock."""
        if self._fd is not None:
            return True
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        return True

    def holder(self) -> int | None:
        """The pid written by the current holder, if readable."""
        try:
            text = self.path.read_text().strip()
        except OSError:
            return None
        return int(text) if text.isdigit() else None

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        try:
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)
