"""NAME is matched alternative by alternative (``names.NameMatcher``), never as one compiled
alternation: it must match exactly as the alternation would, and give Lark the same widths.

Checked on every symbol table of HW1's questions (as the reader builds them) and on texts made of
their spellings, decorated and not, cut at every position: the first alternative that matches is
the alternation's match, so the two must agree on every (text, position).
"""

from __future__ import annotations

import random
import re

import pytest
from lark.utils import get_regexp_width

from verify.grading.assignment import load_assignment
from verify.grading.derivation import reader
from verify.reading.names import MAXWIDTH, NameMatcher, alternation_width, literal_prefix, literal_prefixes, unbounded


def tables() -> list[tuple[str, tuple[str, ...]]]:
    out: dict[tuple[str, ...], str] = {}
    for q in load_assignment("hw1").questions:
        alternatives = reader(q).spellings.alternative_regexes
        if alternatives:
            out.setdefault(alternatives, q.id)
    return [(qid, alts) for alts, qid in out.items()]


TABLES = tables()
PIECES = ["x", "x_1", "x_{1}", "x^k", r"\hat{x}", r"\hat{x}^k", r"\mathbf{x}", r"\boldsymbol{W}_1", "W_1", "W_{1}",
          r"\alpha", r"\lambda_1", r"\lambda_{2}", "A", "y", r"\bm{y}", r"\vec{v}_2", "v_2", "z_2", r"\sigma",
          r"\Lambda", "Q", "V", r"\beta_2", r"\partial_W E", " ", "{", "}", "(", "+", "^T", "_", "1", "t"]


@pytest.mark.parametrize("qid, alternatives", TABLES, ids=[t[0] for t in TABLES])
def test_matching_alternative_by_alternative_is_matching_the_alternation(qid: str,
                                                                          alternatives: tuple[str, ...]) -> None:
    whole = re.compile("(?:" + "|".join(f"(?:{a})" for a in alternatives) + ")")
    matcher = NameMatcher(alternatives)
    rng = random.Random(qid)
    for _ in range(60):
        text = "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 6)))
        for pos in range(len(text)):
            a, b = whole.match(text, pos, len(text)), matcher.match(text, pos, len(text))
            assert (a and a.group(0)) == (b and b.group(0)), (qid, text, pos)


@pytest.mark.parametrize("qid, alternatives", TABLES, ids=[t[0] for t in TABLES])
def test_lark_gets_the_alternations_greatest_width(qid: str, alternatives: tuple[str, ...]) -> None:
    whole = "(?:" + "|".join(f"(?:{a})" for a in alternatives) + ")"
    low, high = get_regexp_width(whole)
    mine = alternation_width(alternatives)
    assert mine[1] == high and 0 < mine[0] <= low


def test_literal_prefixes_are_what_every_match_begins_with() -> None:
    assert literal_prefix(r"\\alpha") == "\\alpha"
    assert literal_prefix(r"x\s*_\s*1") == "x"
    assert literal_prefix(r"x?y") == ""  # x is optional
    assert literal_prefix(r"ab|cd") == ""  # a top-level alternation
    assert literal_prefix(r"(a)|b") == "" and literal_prefix(r"x(a|b)c") == "x"  # | inside a group is not
    assert literal_prefix(r"\\(?:mathbf|bm)\s*\{") == "\\"
    assert literal_prefix(r"\s*\{x") == ""
    assert unbounded(r"x\s*_") and not unbounded(r"x\*") and not unbounded(r"[*+]") and unbounded("a{2,}")
    assert get_regexp_width(r"x\s*")[1] == MAXWIDTH


def test_prefixes_go_through_a_group_of_literal_alternatives() -> None:
    # each match of \\(?:mathbf|bm)\{x begins \mathbf{x or \bm{x: the group's words and what follows
    assert literal_prefixes(r"\\(?:mathbf|bm)\{x") == ("\\mathbf{x", "\\bm{x")
    assert literal_prefixes(r"\\(?:mathbf|bm)\s*\{") == ("\\mathbf", "\\bm")  # \s*: the literals stop
    assert literal_prefixes(r"a(?:b|)c") == ("abc", "ac")  # an empty alternative
    assert literal_prefixes(r"\\(?:mathbf|bm)*x") == ("\\",)  # a repeated group: only what precedes it
    assert literal_prefixes(r"a(?:b|c)?e") == ("a",)
    assert literal_prefixes(r"a(?:b|c(d))e") == ("a",)  # not every alternative a plain literal
    assert literal_prefixes(r"a(?:b|\|)e") == ("a",)  # an escaped bar is not a separator
    assert literal_prefixes(r"a(?:b|c)|d") == ("",)  # a top-level alternation
    assert literal_prefixes(r"a(?=b)c") == ("a",)  # a lookahead is not a group of alternatives


@pytest.mark.parametrize("qid, alternatives", TABLES, ids=[t[0] for t in TABLES])
def test_every_match_begins_with_one_of_its_prefixes(qid: str, alternatives: tuple[str, ...]) -> None:
    rng = random.Random(qid)
    texts = ["".join(rng.choice(PIECES) for _ in range(rng.randint(1, 6))) for _ in range(60)]
    for regex in alternatives:
        prefixes, pattern = literal_prefixes(regex), re.compile(regex)
        assert all(p.startswith(literal_prefix(regex)) for p in prefixes)
        for text in texts:
            for pos in range(len(text)):
                if pattern.match(text, pos):
                    assert text.startswith(prefixes, pos), (qid, regex, text, pos)
