"""`make teaching-copies`: the answer key holds every checker's solution; the blank notebooks keep only what a live-coding room needs."""
from __future__ import annotations

import json
import subprocess
import sys

import nbformat
import pytest

from helpers import REPO_ROOT
from helpers.exercises import QUESTIONS
from helpers import notebook_paths

TOOL = REPO_ROOT / "tools" / "teaching_copies.py"


@pytest.fixture(scope="module")
def copies(tmp_path_factory):
    folder = tmp_path_factory.mktemp("teaching")
    result = subprocess.run([sys.executable, str(TOOL), "--out", str(folder)], cwd=REPO_ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert f"Wrote the answer key and {len(notebook_paths())} blank notebooks" in result.stdout
    return folder


def test_the_answer_key_has_every_exercise_with_its_checkers_solution(copies):
    key = (copies / "answer_key.md").read_text(encoding="utf-8")
    for question in QUESTIONS.values():
        assert f"`{question.name}.check({question.answer_name})`" in key
        assert f"```python\n{question.solution_code}\n```" in key
        assert question.explanation in key
    headings = sum("".join(cell["source"]).count("### Exercise ")
                   for path in notebook_paths() for cell in json.loads(path.read_text())["cells"]
                   if cell["cell_type"] == "markdown")
    assert key.count("\n### Exercise ") == headings == len(QUESTIONS)


@pytest.mark.parametrize("path", notebook_paths(), ids=lambda path: path.stem)
def test_a_blank_notebook_keeps_the_prose_and_the_exercises_and_empties_the_lesson_code(copies, path):
    original = json.loads(path.read_text(encoding="utf-8"))
    blank = nbformat.read(copies / "blank" / path.name, as_version=4)
    nbformat.validate(blank)
    assert len(blank.cells) == len(original["cells"])
    emptied = 0
    for before, after in zip(original["cells"], blank.cells):
        source = "".join(before["source"])
        if before["cell_type"] == "markdown":
            assert after.source == source
            continue
        assert after.outputs == [] and after.execution_count is None
        keep = source.startswith("#@title Set-up") or "from helpers.exercises import" in source or ".check(" in source
        assert after.source == (source if keep else ""), f"{path.name}: {source[:60]!r}"
        emptied += not keep
    assert emptied > 0 or path.name.startswith("00_"), f"{path.name}: nothing left to live-code"
