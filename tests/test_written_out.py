""""Written out in notebook N" is said of a helper only where notebook N really writes it out.

A helper's docstring may say ``written out in notebook 07`` (or ``notebooks 02 and 05``): then
each named notebook has a code cell with ``def <name>(``, the learner's first version of it.
Module docstrings make no such claim (they would be true of no single function).
"""
from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from helpers import REPO_ROOT

CLAIM = re.compile(r"written out in notebooks? ([\d ,and]+\d)", re.I)
HELPERS = sorted((REPO_ROOT / "helpers").rglob("*.py"))


def claims() -> list[tuple[str, str, list[str]]]:
    """(module, function, [notebook numbers]) for every function whose docstring makes the claim."""
    found = []
    for path in HELPERS:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                match = CLAIM.search(ast.get_docstring(node) or "")
                if match:
                    found.append((str(path.relative_to(REPO_ROOT)), node.name, re.findall(r"\d+", match[1])))
    return found


def notebook_code(number: str) -> str:
    paths = sorted((REPO_ROOT / "notebooks").glob(f"{int(number):02d}_*.ipynb"))
    assert len(paths) == 1, f"no notebook {number}"
    cells = json.loads(paths[0].read_text(encoding="utf-8"))["cells"]
    return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")


@pytest.mark.parametrize("module, name, numbers", claims(), ids=lambda v: v if isinstance(v, str) else "")
def test_claimed_notebook_defines_the_function(module: str, name: str, numbers: list[str]) -> None:
    for number in numbers:
        assert re.search(rf"^\s*def {name}\(", notebook_code(number), re.M), (
            f"{module}: {name} claims to be written out in notebook {number}, which has no `def {name}(`"
        )


@pytest.mark.parametrize("path", HELPERS, ids=lambda p: str(p.relative_to(REPO_ROOT)))
def test_module_docstrings_make_no_such_claim(path: Path) -> None:
    docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    assert not CLAIM.search(docstring), f"{path.name}: say it of the function that the notebook writes out"


def test_the_readme_and_package_docstring_promise_only_what_the_test_checks() -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    package = ast.get_docstring(ast.parse((REPO_ROOT / "helpers/__init__.py").read_text(encoding="utf-8")))
    for text in (readme, package):
        assert not re.search(r"(every|each) function[^.]*written out", text, re.I)
