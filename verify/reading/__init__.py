"""Reading user text (LaTeX, claims files, Markdown submissions) into the model, safely.

The interface other packages use is what this module exports (``__all__``): the LaTeX reader
(:class:`LatexReader`, shape-aware, from a question's declared names), a chain ``a = b = c``
split into its links (:func:`split_chain`), claims files (:func:`load_claims_file`) and Markdown
submissions (:func:`decode_submission`, :func:`read_submission`). No user text reaches a parser
that can run code (``sympify``, ``parse_expr``, ``eval``).
"""

from verify.reading.chain import split_chain
from verify.reading.claims_file import ClaimsFile, ClaimsFileError, load_claims_file
from verify.reading.latex import LatexReader
from verify.reading.markdown import (
    MAX_SUBMISSION_BYTES,
    Section,
    Submission,
    SubmissionError,
    decode_submission,
    read_submission,
)

__all__ = [
    "MAX_SUBMISSION_BYTES", "ClaimsFile", "ClaimsFileError", "LatexReader", "Section", "Submission",
    "SubmissionError", "decode_submission", "load_claims_file", "read_submission", "split_chain",
]
