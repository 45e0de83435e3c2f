"""The README's architecture section is drawn from the tree (issue 14): every module of
``verify/`` is named in it under its own folder, and every folder it names exists. A module
added, moved or renamed without the README fails here, so the map a newcomer reads stays true."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _tree_block() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(r"```\nverify/\n(.*?)```", text, re.S)
    assert found, "README.md has no tree of verify/ in a code block"
    return "verify/\n" + found.group(1)


def _sections(block: str) -> dict[str, str]:
    """Each folder of the tree (``verify/deciding/kinds``) and the text written for it."""
    out: dict[str, str] = {}
    stack: list[tuple[int, str]] = []
    current = ""
    for line in block.splitlines():
        folder = re.match(r"^(\s*)([a-z_]+)/(?:\s|$)", line)
        if folder:
            depth = len(folder.group(1))
            while stack and stack[-1][0] >= depth:
                stack.pop()
            stack.append((depth, folder.group(2)))
            current = "/".join(name for _, name in stack)
            out.setdefault(current, "")
        out[current] = out.get(current, "") + line + "\n"
    return out


def test_every_module_is_named_under_its_folder() -> None:
    sections = _sections(_tree_block())
    missing = []
    for path in sorted((ROOT / "verify").rglob("*.py")):
        folder = path.parent.relative_to(ROOT).as_posix()
        if path.name == "__init__.py" and folder != "verify/cli":
            continue
        text = sections.get(folder, "")
        if not re.search(rf"(?<![\w/]){re.escape(path.name)}", text):
            missing.append(path.relative_to(ROOT).as_posix())
    assert not missing, f"README.md's tree does not name {missing}: add them where they live"


def test_every_folder_the_tree_names_exists() -> None:
    for folder in _sections(_tree_block()):
        if folder.startswith("verify"):
            assert (ROOT / folder).is_dir(), f"README.md names {folder}/, which does not exist"
