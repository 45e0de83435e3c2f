"""The LaTeX grammar's analysis kept between runs as JSON (issue 15's latency): what is read back
parses every text as a fresh analysis does, a damaged or foreign file is analysed afresh, and
the file is data, never code (no pickle)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lark import Lark

from verify.reading import grammar_cache, latex

TEXTS = [r"\frac{\partial y}{\partial x} = A", r"x^T A^{-1} x + \sigma(W x + b)",
         r"\begin{bmatrix} 1 & 2 \\ 3 & 4 \end{bmatrix}", r"\sum_{i=1}^{m} (\hat{y}_i - y_i)^2",
         r"\left| x \right| \leq \max(a, b)", r"I(z > 0) \odot \nabla_x f", r"\frac{1}{2} + 3^{2}"]


def _fresh() -> Lark:
    return Lark(latex.GRAMMAR, parser="lalr", lexer="contextual", propagate_positions=True,
                maybe_placeholders=False, lexer_callbacks=latex._LEXER_CALLBACKS)


def _tokens(parser: Lark, text: str) -> list[tuple[str, str]]:
    try:
        return [(t.type, str(t)) for t in parser.lex(text)]
    except Exception as err:  # what the lexer refuses, refused alike
        return [("error", type(err).__name__)]


def test_the_analysis_read_back_parses_as_a_fresh_one(tmp_path: Path) -> None:
    fresh = _fresh()
    path = tmp_path / "g.json"
    grammar_cache.save(fresh, path)
    json.loads(path.read_text())  # JSON: data only
    loaded = grammar_cache.load(path, latex._LEXER_CALLBACKS)
    assert loaded is not None
    assert loaded.parser.parser._parse_table.states == fresh.parser.parser._parse_table.states
    # the same tree (a rule's name read back is a str where lark's own is a Token of the same text)
    assert loaded.parse(r"\frac{1}{2} + 3^{2}") == fresh.parse(r"\frac{1}{2} + 3^{2}")
    for text in TEXTS:
        assert _tokens(loaded, text) == _tokens(fresh, text)


@pytest.mark.parametrize("content", [b"", b"not json", b'{"u": 1}', b'{"m": [[1, {"x": 2}]]}', b"\x80\x81"])
def test_a_damaged_file_is_ignored(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "g.json"
    path.write_bytes(content)
    assert grammar_cache.load(path, latex._LEXER_CALLBACKS) is None


def test_the_reader_analyses_afresh_over_a_damaged_file_and_mends_it(monkeypatch: pytest.MonkeyPatch) -> None:
    path = grammar_cache.path_for(latex.GRAMMAR, "latex-grammar", latex.GRAMMAR_OPTIONS)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('{"m": []}')
    monkeypatch.setattr(latex, "_GRAMMAR", [])
    latex._parser.cache_clear()
    try:
        assert latex._grammar().parse("1 + 2") is not None  # NAME is a placeholder: numbers
        assert grammar_cache.load(path, latex._LEXER_CALLBACKS) is not None  # written anew
    finally:
        latex._parser.cache_clear()


def test_a_changed_grammar_has_its_own_file() -> None:
    assert grammar_cache.path_for(latex.GRAMMAR) != grammar_cache.path_for(latex.GRAMMAR + "\n// changed")
    assert grammar_cache.path_for(latex.GRAMMAR).parent == grammar_cache.user_cache.folder()
    options = latex.GRAMMAR_OPTIONS
    assert grammar_cache.path_for(latex.GRAMMAR, options=options) != grammar_cache.path_for(
        latex.GRAMMAR, options={**options, "propagate_positions": False})  # other options: another analysis


def test_the_chain_grammar_read_back_splits_as_a_fresh_one(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from verify.reading import chain

    monkeypatch.setattr(grammar_cache.user_cache, "folder", lambda: tmp_path)
    texts = [r"a = b = c", r"\begin{align} x &= y \\ &= z \end{align}", r"f(x = 1) = 2", r"a = { b",
             r"x \Rightarrow y = z"]

    def splits() -> list[object]:
        chain._parser.cache_clear()
        out: list[object] = []
        for text in texts:
            try:
                out.append(chain.split_chain(text))
            except Exception as err:
                out.append(type(err).__name__)
        return out

    try:
        fresh = splits()  # analysed, and written to the folder
        assert [p.name.split("-")[0] for p in tmp_path.iterdir()] == ["chain"]
        assert splits() == fresh  # read back
        assert "UnbalancedBrackets" in fresh and [[("a", 0), ("b", 4), ("c", 8)]] in [
            [[(p.latex, p.offset) for p in statement] for statement in s] for s in fresh if isinstance(s, list)]
    finally:
        chain._parser.cache_clear()


def test_only_known_types_are_encoded_and_decoded() -> None:
    with pytest.raises(TypeError):
        grammar_cache.encode({"f": len})
    with pytest.raises(ValueError):
        grammar_cache.decode({"py": "__import__('os')"})
    value = {1: ("a", [None, True]), "k": {"t": 2}}
    assert grammar_cache.decode(json.loads(json.dumps(grammar_cache.encode(value)))) == value


def _stored(tmp_path: Path, fresh: Lark | None = None) -> tuple[Path, dict[str, object]]:
    path = tmp_path / "g.json"
    grammar_cache.save(fresh or _fresh(), path)
    return path, json.loads(path.read_text())


def test_the_table_is_stored_as_numbers_and_read_back_into_lark_s_own(tmp_path: Path) -> None:
    analysed = _fresh()  # (each analysis numbers its states in its own order)
    path, stored = _stored(tmp_path, analysed)
    table = stored["table"]
    assert isinstance(table, dict)
    assert all(isinstance(n, int) for flat in table["states"] for n in flat)
    loaded = grammar_cache.load(path, latex._LEXER_CALLBACKS)
    assert loaded is not None
    assert type(loaded.parser.parser._parse_table).__name__ == "IntParseTable"
    fresh = analysed.parser.parser._parse_table
    assert loaded.parser.parser._parse_table.start_states == fresh.start_states
    assert loaded.parser.parser._parse_table.end_states == fresh.end_states


@pytest.mark.parametrize("damage", ["reduce by a terminal", "no such terminal", "negative terminal", "unknown action",
                                    "state named"])
def test_a_damaged_table_is_ignored(tmp_path: Path, damage: str) -> None:
    path, stored = _stored(tmp_path)
    table = stored["table"]
    assert isinstance(table, dict)
    flat = table["states"][0]
    if damage == "reduce by a terminal":  # memo number of a TerminalDef where a Rule should be
        memo = dict(grammar_cache.decode(stored["rest"])["memo"])
        terminal = next(k for k, v in memo.items() if v.get("__type__") == "TerminalDef")
        state = next(s for s in table["states"] if any(s[i + 1] == 1 for i in range(1, len(s), 3)))
        i = next(i for i in range(1, len(state), 3) if state[i + 1] == 1)
        state[i + 2] = terminal
    elif damage == "no such terminal":
        flat[1] = len(table["tokens"]) + 5
    elif damage == "negative terminal":
        flat[1] = -1
    elif damage == "unknown action":
        flat[2] = 7
    else:
        flat[0] = "zero"
    path.write_text(json.dumps(stored))
    assert grammar_cache.load(path, latex._LEXER_CALLBACKS) is None
