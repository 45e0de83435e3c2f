"""HW1 as an assignment: every question of the sections, in the order of the solution.

Each question written in the assignment file ``hw1.toml`` (beside this module) is taken from it;
the others, which the file format cannot express (each has a comment at its place in the file
saying what the format lacks), from the ``QUESTIONS`` of their section modules. The Python
questions stay whole all the same: ``tests/test_hw1_file.py`` grades every example submission
with both and checks that the file's questions grade exactly as the Python ones do.
"""

from pathlib import Path

from derivations import all_questions
from verify.grading.assignment import Assignment
from verify.model.question import Question
from verify.reading import load_assignment_file, require_sound

FILE = Path(__file__).with_name("hw1.toml")
TITLE = "DL HW1: matrix calculus, backpropagation, optimisation"


def file_questions() -> dict[str, Question]:
    """The questions of ``hw1.toml``, by id; a file with any problem is refused (never half read)."""
    read = require_sound(load_assignment_file(FILE))
    return {q.id: q for q in read.questions}


def python_assignment() -> Assignment:
    """HW1 with every question from its Python section module (what the file is compared with)."""
    return Assignment(id="hw1", title=TITLE, questions=tuple(all_questions()))


def assignment() -> Assignment:
    """HW1 with each question from the file where the file has it, from Python otherwise."""
    python = python_assignment().questions
    written = file_questions()
    unknown = sorted(set(written) - {q.id for q in python})
    if unknown:
        raise ValueError(f"{FILE.name}: {', '.join(unknown)} is not a question of HW1")
    return Assignment(id="hw1", title=TITLE, questions=tuple(written.get(q.id, q) for q in python))


ASSIGNMENT = assignment()
