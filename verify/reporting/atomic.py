"""Writing an output file all at once or not at all.

A grading run can be interrupted (Ctrl-C, a killed job, a full disk). A gradebook or a
``results.json`` that is half written is worse than none: it parses as something else, or
an upload tool takes a truncated class list for the whole class. So every file is written
to a temporary file in the same folder (the same file system, so the rename is atomic),
flushed and fsynced, and only then renamed over the target with :func:`os.replace`. A
reader sees the old file or the new one, never a mixture. An interrupted run removes its
temporary file; one killed outright (SIGKILL) while writing cannot, so the next write of the
same target removes such leftovers first.
"""

from __future__ import annotations

import contextlib
import glob
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO


def _umask() -> int:
    """The process umask (read by setting and restoring it: there is no getter)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable; not every platform lets a folder be opened."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def atomic_writer(path: str | os.PathLike[str], *, encoding: str = "utf-8", newline: str | None = None
                  ) -> Iterator[IO[str]]:
    """A text stream whose content replaces ``path`` only when the ``with`` block ends normally.

    On an exception (or KeyboardInterrupt) inside the block the temporary file is removed
    and ``path`` is untouched. ``newline=""`` is what the csv module wants.
    """
    target = Path(path)
    folder = target.parent
    for stale in folder.glob(f".{glob.escape(target.name)}.*.tmp"):  # left by a killed run
        with contextlib.suppress(OSError):
            stale.unlink()
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding=encoding, newline=newline) as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        # mkstemp makes the file private (0600); an output file gets the usual permissions.
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _fsync_folder(folder)


def write_text_atomic(path: str | os.PathLike[str], text: str, *, encoding: str = "utf-8") -> None:
    """Replace ``path`` by ``text`` atomically (see the module docstring)."""
    with atomic_writer(path, encoding=encoding, newline="") as stream:
        stream.write(text)
