"""A persistent cache of decisions, so that grading costs grow with distinct answers only.

Keyed by the SHA-256 of the engine version and the claim's canonical JSON without its labels
(id, statement, section, expect, why; a symbol's LaTeX and meaning): two students writing
the same answer, or a re-run over unchanged inputs, decide it once. The value is the whole
Result as JSON. A cached result may come from a claim with another id; it is still a
decision of the same mathematics (a proof, or exact values where the sides differ).

What is not cached: ``unknown``. It may come from a time limit (the hard one, or a soft one
inside a procedure), a memory cap, a dead worker or a bug of ours, all of which a later run
may not meet; only ``proved``, ``refuted`` and ``error`` are facts about the claim.

Entries older than :data:`MAX_AGE_DAYS` are dropped when the file is opened: a new engine
version never reads an older one's entries again, so without this they would pile up; a
current entry is at worst decided once more after that time.

The store is SQLite in WAL mode: a commit is atomic, so a run killed at any moment (even
with SIGKILL) leaves every decision committed so far and nothing half-written. A file that
is nevertheless unreadable (a SQLite file with damaged pages) is moved aside and rebuilt, with
a warning on stderr: a cache is never worth failing a run for. A file that is not a decision
cache at all (a text file, another program's database) is refused (:class:`CacheError`) and
left untouched.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import json
import os
import sqlite3
import sys
import time
from collections.abc import Callable
from pathlib import Path

import sympy

from verify import user_cache
from verify.model import Claim, Result, Verdict, codec

#: How long an entry is kept (see the module docstring).
MAX_AGE_DAYS = 90

#: Verdicts that do not depend on time limits or the machine, and so may be reused.
CACHEABLE = frozenset({Verdict.PROVED, Verdict.REFUTED, Verdict.ERROR})

_SCHEMA = """
CREATE TABLE IF NOT EXISTS decisions (
    key TEXT PRIMARY KEY,
    result TEXT NOT NULL,
    created REAL NOT NULL
)
"""


def default_path() -> Path:
    """``$XDG_CACHE_HOME/verify/decisions.sqlite``, else ``~/.cache/verify/decisions.sqlite``."""
    return user_cache.folder() / "decisions.sqlite"


@functools.cache
def engine_version() -> str:
    """The package version and a hash of the source of everything that decides.

    Any change to the deciding or model code (or to SymPy, python-flint, or Python) gives a new
    version, so a cache can never return what an older engine decided.
    """
    try:
        from flint import __version__ as flint_version
    except ImportError:  # pragma: no cover - a dependency
        flint_version = "none"
    return (f"{_package_version()}+{source_hash(Path(__file__).resolve().parent.parent)};"
            f"sympy {sympy.__version__};flint {flint_version};python {sys.version_info[0]}.{sys.version_info[1]}")


def _package_version() -> str:
    """The installed package's version (the package is not imported: deciding sits below it)."""
    try:
        return importlib.metadata.version("verify")
    except importlib.metadata.PackageNotFoundError:  # run from a source tree
        return "0"


def source_hash(root: Path) -> str:
    """A hash of every module under ``root``'s ``deciding`` and ``model`` folders, in every
    subfolder (by path and content): a change anywhere a verdict depends on changes it."""
    h = hashlib.sha256()
    for folder in ("deciding", "model"):
        for path in sorted((root / folder).rglob("*.py")):
            h.update(path.relative_to(root).as_posix().encode())
            h.update(path.read_bytes())
    return h.hexdigest()[:16]


def key(claim: Claim) -> str | None:
    """The cache key of a claim, or None when it has no JSON form (such a claim is not cached)."""
    try:
        text = codec.canonical(codec.to_json(claim, mathematics_only=True))
    except codec.CodecError:
        return None
    return hashlib.sha256(f"{engine_version()}\n{text}".encode()).hexdigest()


Warn = Callable[[str], None]

#: The first 16 bytes of every SQLite database file.
SQLITE_HEADER = b"SQLite format 3\x00"


class CacheError(Exception):
    """The path given as the cache is not a decision cache: it is left alone, and the run refused."""


def check_cache_file(path: str | os.PathLike[str]) -> None:
    """Refuse a path that holds something other than a decision cache (raises CacheError).

    Missing or empty: a new cache. A SQLite file with our table (or no table at all): a cache,
    damaged or not (a damaged one is moved aside when opened). Anything else, a text file, a
    folder, another program's database, is never touched: ``--cache notes.txt`` must not cost
    anyone their notes.
    """
    p = Path(path)
    if not p.exists():
        return
    if p.is_dir():
        raise CacheError(f"--cache {path}: is a folder, not a decision cache file")
    try:
        with p.open("rb") as f:
            head = f.read(len(SQLITE_HEADER))
    except OSError as err:
        raise CacheError(f"--cache {path}: cannot read it: {err.strerror or err}") from None
    if not head:
        return
    if head != SQLITE_HEADER:
        raise CacheError(f"--cache {path}: not a decision cache (not a SQLite file); left untouched — "
                         "give a new path, or remove the file")
    try:
        db = sqlite3.connect(f"{p.resolve().as_uri()}?mode=ro", uri=True, timeout=5)
        try:
            tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        finally:
            db.close()
    except sqlite3.Error:
        return  # a SQLite file that cannot be read: a damaged cache, moved aside when opened
    if tables and "decisions" not in tables:
        raise CacheError(f"--cache {path}: a SQLite database of something else (tables: "
                         f"{', '.join(sorted(tables)[:5])}), not a decision cache; left untouched")


def _stderr(message: str) -> None:
    print(f"verify: {message}", file=sys.stderr)


def _corrupt(err: sqlite3.Error) -> bool:
    """Whether an error means the file itself is damaged (not merely locked or unwritable)."""
    code = getattr(err, "sqlite_errorcode", None)
    if code is None:
        return not isinstance(err, sqlite3.OperationalError)
    return code & 0xFF in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)


class DecisionCache:
    """One SQLite file of decisions; used from one process at a time (never from workers).

    When the file cannot be used at all (a read-only folder, a lock held for too long) the
    cache says so once and turns itself off: the run goes on, deciding everything.
    """

    def __init__(self, path: str | os.PathLike[str], warn: Warn = _stderr, max_age_days: float = MAX_AGE_DAYS) -> None:
        self.path = Path(path)
        self.warn = warn
        self.max_age = max_age_days * 86400.0
        self.hits = 0
        self.stored = 0
        self._db: sqlite3.Connection | None = None
        check_cache_file(self.path)  # raises CacheError: not ours to rebuild
        try:
            self._db = self._connect()
        except (sqlite3.Error, OSError) as err:
            self._recover(err)

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute(_SCHEMA)
            row = db.execute("PRAGMA quick_check").fetchone()
            if row is None or row[0] != "ok":
                raise sqlite3.DatabaseError(f"integrity check failed: {row[0] if row else 'no answer'}")
            db.execute("DELETE FROM decisions WHERE created < ?", (time.time() - self.max_age,))
        except BaseException:
            db.close()
            raise
        return db

    def _recover(self, err: Exception) -> None:
        """A damaged file is moved aside and replaced; any other problem turns the cache off."""
        if self._db is not None:
            self._db.close()
            self._db = None
        if not (isinstance(err, sqlite3.Error) and _corrupt(err)):
            self.warn(f"cannot use the decision cache {self.path} ({err}); deciding without it")
            return
        aside = self.path.with_name(f"{self.path.name}.corrupt-{int(time.time())}")
        try:
            for suffix in ("", "-wal", "-shm"):
                part = Path(f"{self.path}{suffix}")
                if part.exists():
                    part.replace(Path(f"{aside}{suffix}"))
            self._db = self._connect()
        except (sqlite3.Error, OSError) as again:
            self.warn(f"the decision cache {self.path} was unreadable ({err}) and could not be rebuilt "
                      f"({again}); deciding without it")
            return
        self.warn(f"the decision cache {self.path} was unreadable ({err}); moved it to {aside.name} "
                  f"and started a new one")

    @property
    def enabled(self) -> bool:
        return self._db is not None

    def get(self, claim_key: str) -> Result | None:
        if self._db is None:
            return None
        try:
            row = self._db.execute("SELECT result FROM decisions WHERE key = ?", (claim_key,)).fetchone()
        except sqlite3.Error as err:
            self._recover(err)
            return None
        if row is None:
            return None
        try:
            result = codec.result_from_json(json.loads(row[0]))
        except (ValueError, codec.CodecError):
            return None
        self.hits += 1
        return result.with_seconds(0.0)

    def put(self, claim_key: str, result: Result) -> bool:
        """Store ``result`` if it is a fact about the claim (see :data:`CACHEABLE`); one commit each,
        so that a killed run keeps everything decided before it."""
        if self._db is None or result.verdict not in CACHEABLE:
            return False
        text = json.dumps(codec.result_to_json(result), separators=(",", ":"))
        try:
            self._db.execute("INSERT OR REPLACE INTO decisions (key, result, created) VALUES (?, ?, ?)",
                             (claim_key, text, time.time()))
        except sqlite3.Error as err:
            self._recover(err)
            return False
        self.stored += 1
        return True

    def __len__(self) -> int:
        if self._db is None:
            return 0
        return int(self._db.execute("SELECT COUNT(*) FROM decisions").fetchone()[0])

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def __enter__(self) -> DecisionCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
