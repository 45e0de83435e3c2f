"""HW1 as an assignment: every question of the sections, in the order of the solution."""

from derivations import all_questions
from verify.grading.assignment import Assignment

ASSIGNMENT = Assignment(
    id="hw1",
    title="DL HW1: matrix calculus, backpropagation, optimisation",
    questions=tuple(all_questions()),
)
