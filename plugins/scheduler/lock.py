"""One firing process per store: an exclusive ``fcntl.flock`` on a lock file next to the store.

The OS drops the lock when its holder exits or is killed, so a standby process takes over on its
next attempt. The holder writes its pid into the file so that others can say who holds it, and
empties it on a clean release: a pid found there on taking the lock was left by a process that
died holding it (`StoreLock.stale_pid`). When the lock is still held but the pid in it is not a
running process (a child that inherited the holder's descriptor outlived it), the lock is taken
over: a fresh, locked file replaces the old one, under a short second lock so that only one
process does it.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

__all__ = ["StoreLock", "pid_alive"]


def pid_alive(pid: int) -> bool:
    """True when a process with this pid exists (``os.kill(pid, 0)``)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, under another user
        return True
    return True


def _dead_pid_in(fd: int) -> int | None:
    """The pid left in a lock file just taken, when that process no longer runs."""
    text = os.pread(fd, 32, 0).decode(errors="replace").strip()
    pid = int(text) if text.isdigit() else None
    return pid if pid is not None and pid != os.getpid() and not pid_alive(pid) else None


class StoreLock:
    """A non-blocking exclusive lock on ``path``; not re-entrant, one per plugin instance."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None
        self.stale_pid: int | None = None
        """Set by `acquire`: the pid of a dead process this one took the lock over from."""

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> bool:
        """Try once; True if this instance now holds (or already held) the lock."""
        if self._fd is not None:
            return True
        fd = self._try()
        if fd is None:
            holder = self.holder()
            if holder is None or pid_alive(holder):
                return False
            fd = self._take_over(holder)
            if fd is None:
                return False
        else:
            self.stale_pid = _dead_pid_in(fd)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd
        return True

    def _try(self) -> int | None:
        """Open the file at ``path`` and lock it without waiting; None when it is held. A file
        replaced (by a takeover) between the open and the lock is opened again."""
        for _ in range(5):
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(fd)
                return None
            try:
                same = os.fstat(fd).st_ino == os.stat(self.path).st_ino
            except FileNotFoundError:
                same = False
            if same:
                return fd
            os.close(fd)
        return None

    @contextlib.contextmanager
    def _takeover_guard(self) -> Iterator[None]:
        fd = os.open(self.path.with_name(self.path.name + ".takeover"),
                     os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    def _take_over(self, dead: int) -> int | None:
        """Replace a lock file held for a dead pid by a fresh one this process holds."""
        with self._takeover_guard():
            fd = self._try()  # freed meanwhile, or already taken over by another process
            if fd is not None:
                self.stale_pid = _dead_pid_in(fd)
                return fd
            if self.holder() != dead or pid_alive(dead):
                return None
            fresh = self.path.with_name(f"{self.path.name}.{os.getpid()}")
            fd = os.open(fresh, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600)
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            os.write(fd, f"{os.getpid()}\n".encode())
            os.replace(fresh, self.path)
            self.stale_pid = dead
            return fd

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
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)
