"""Grading submitted derivations: sections, steps, verdicts, scores.

The interface other packages use is what this module exports (``__all__``): assignments
(:func:`load_assignment`), grading a batch of submission files (:func:`submission_files`,
:func:`grade_files`, with :class:`GradingOptions` and decisions run by :func:`executed`), and the
grades they give (:class:`SubmissionGrade`, :class:`QuestionGrade`, :class:`Mark`,
:class:`StepStatus`, :func:`flag_for_review`).
"""

from verify.grading.assignment import Assignment, UnknownAssignment, builtin_file, load_assignment
from verify.grading.batch import GradingOptions, executed, grade_files, submission_files
from verify.grading.grades import Mark, QuestionGrade, StepStatus, SubmissionGrade, flag_for_review

__all__ = [
    "Assignment", "GradingOptions", "Mark", "QuestionGrade", "StepStatus", "SubmissionGrade", "UnknownAssignment",
    "builtin_file", "executed", "flag_for_review", "grade_files", "load_assignment", "submission_files",
]
