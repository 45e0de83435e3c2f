"""Reading a Jupyter notebook submission (``.ipynb``): its Markdown cells, as a Markdown submission.

Students answer in notebooks as often as in Markdown files. A notebook is JSON in a versioned
format; ``nbformat``, the Jupyter project's own library, parses and validates it (and upgrades an
old version), so that a file that is not a notebook is refused with a reason instead of being half
read. The Markdown cells, in order, joined by a blank line, are then one Markdown text read by
:func:`~verify.reading.markdown.read_submission` with its rules unchanged: answers under the same
headings, math in the same delimiters, a heading in one cell and its derivation in the next.
Code cells, raw cells and every output are ignored: nothing in a notebook is ever executed.

The student's name: YAML front matter at the top of the first Markdown cell (``student: NAME``,
as in a Markdown file); else the notebook's metadata, ``student`` (a string) or the first of
``authors`` (nbformat's documented ``[{"name": ...}]``); else the file's stem.

Size: a notebook carries its outputs (plots as base64 images), so a file of a few megabytes is an
ordinary homework; it is read up to :data:`MAX_NOTEBOOK_BYTES`, and the Markdown taken from it is
held to the limit of every submission, :data:`~verify.reading.markdown.MAX_SUBMISSION_BYTES`.
"""

from __future__ import annotations

import warnings
from typing import Any

from verify.reading.markdown import (
    CONTROL,
    MAX_SUBMISSION_BYTES,
    Submission,
    SubmissionError,
    read_submission,
)

#: Largest notebook file read, in bytes: outputs (base64 images) make real notebooks megabytes
#: long; parsing and validating 20 MB takes about a second at most.
MAX_NOTEBOOK_BYTES = 20_000_000


def read_notebook_submission(raw: bytes, file: str, student: str, questions: frozenset[str] | None = None
                             ) -> Submission:
    """Read the notebook whose bytes are ``raw``; ``student`` is the name when it gives none.

    Raises :class:`SubmissionError` for a file that is too large, not UTF-8, not JSON or not a
    valid notebook, with one line saying why.
    """
    notebook = _parse(raw, file)
    cells = [cell for cell in notebook.get("cells", []) if cell.get("cell_type") == "markdown"]
    sources: list[str] = []
    for number, cell in enumerate(cells, start=1):
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        control = CONTROL.search(source)
        if control:
            line = source.count("\n", 0, control.start()) + 1
            raise SubmissionError(f"{file}: a control character (U+{ord(control.group()):04X}) on line {line} of "
                                  f"Markdown cell {number}; not a Markdown text")
        sources.append(source)
    text = "\n\n".join(sources)
    if len(text) > MAX_SUBMISSION_BYTES:
        raise SubmissionError(f"{file}: its Markdown cells hold more than {MAX_SUBMISSION_BYTES // 1000} kB of "
                              "text; not read")
    return read_submission(text, file, _metadata_student(notebook.get("metadata", {}), file) or student, questions)


def _parse(raw: bytes, file: str) -> Any:
    if len(raw) > MAX_NOTEBOOK_BYTES:
        raise SubmissionError(f"{file}: larger than {MAX_NOTEBOOK_BYTES // 1_000_000} MB; not read")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise SubmissionError(f"{file}: not UTF-8 text (byte {err.start})") from None
    import nbformat  # here, not at the top: 70 ms that the commands reading no notebook need not pay
    from nbformat.reader import NotJSONError

    problems: dict[str, Any] = {}
    try:
        with warnings.catch_warnings():  # nbformat warns (on stderr) of the ids it repairs
            warnings.simplefilter("ignore")
            notebook = nbformat.reads(text, as_version=4, capture_validation_error=problems)
    except NotJSONError:
        raise SubmissionError(f"{file}: not a notebook (not JSON)") from None
    except RecursionError:
        raise SubmissionError(f"{file}: not a notebook (nested too deeply)") from None
    except Exception as err:  # nbformat raises what its readers meet: KeyError, TypeError, ValueError ...
        raise SubmissionError(f"{file}: not a valid notebook ({type(err).__name__}: {str(err)[:120]})") from None
    invalid = problems.get("ValidationError")
    if invalid is not None:
        message = getattr(invalid, "message", str(invalid)).splitlines()[0][:120]
        raise SubmissionError(f"{file}: not a valid notebook: {message}")
    return notebook


def _metadata_student(metadata: Any, file: str) -> str | None:
    """The student named by the notebook's metadata: ``student``, else the first ``authors`` name."""
    if not isinstance(metadata, dict):
        return None
    name = metadata.get("student")
    if name is None:
        authors = metadata.get("authors")
        if isinstance(authors, list) and authors and isinstance(authors[0], dict):
            name = authors[0].get("name")
    if not isinstance(name, str) or not name.strip():
        return None
    if CONTROL.search(name):
        raise SubmissionError(f"{file}: the student's name in the notebook's metadata contains a control character")
    return name.strip()[:200]
