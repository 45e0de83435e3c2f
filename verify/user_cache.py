"""Where verify keeps what it learns between runs, for this user: ``$XDG_CACHE_HOME/verify``
(an absolute path only, as the XDG spec asks), else ``~/.cache/verify``.

One definition, because two features keep files there (the decision cache, the LaTeX grammar's
analysis) and a test or a user that moves the folder moves both.
"""

from __future__ import annotations

import os
from pathlib import Path


def folder() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or ""
    root = Path(base) if base and Path(base).is_absolute() else Path.home() / ".cache"
    return root / "verify"
