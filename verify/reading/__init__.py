"""Reading user text (LaTeX, claims files, submissions) into the model, safely.

The interface other packages use is what this module exports (``__all__``): the LaTeX reader
(:class:`LatexReader`, shape-aware, from a question's declared names), a chain ``a = b = c``
split into its links (:func:`split_chain`), claims files (:func:`load_claims_file`), assignment files
(:func:`load_assignment_file`: questions written as TOML, with the claims that check them) and submissions:
Markdown (:func:`decode_submission`, :func:`read_submission`), LaTeX (:func:`read_latex_submission`)
and Jupyter notebooks (:func:`read_notebook_submission`, up to :data:`MAX_NOTEBOOK_BYTES`), each
into the same :class:`Submission`. No user text reaches a parser that can run code (``sympify``,
``parse_expr``, ``eval``), and nothing in a submission is executed or expanded.
"""

from verify.reading.assignment_file import (
    AssignmentFile,
    AssignmentFileError,
    Check,
    Problem,
    load_assignment_file,
    parse_assignment,
    require_sound,
)
from verify.reading.chain import split_chain
from verify.reading.claims_file import ClaimsFile, ClaimsFileError, load_claims_file
from verify.reading.latex import LatexReader
from verify.reading.latex_submission import read_latex_submission
from verify.reading.markdown import (
    MAX_SUBMISSION_BYTES,
    Section,
    Submission,
    SubmissionError,
    decode_submission,
    read_submission,
)
from verify.reading.notebook_submission import MAX_NOTEBOOK_BYTES, read_notebook_submission

__all__ = [
    "MAX_NOTEBOOK_BYTES",
    "MAX_SUBMISSION_BYTES",
    "AssignmentFile",
    "AssignmentFileError",
    "Check",
    "ClaimsFile",
    "ClaimsFileError",
    "LatexReader",
    "Problem",
    "Section",
    "Submission",
    "SubmissionError",
    "decode_submission",
    "load_assignment_file",
    "load_claims_file",
    "parse_assignment",
    "read_latex_submission",
    "read_notebook_submission",
    "read_submission",
    "require_sound",
    "split_chain",
]
