"""Make an instructor's teaching copies of the series: ``make teaching-copies``.

Writes into ``outputs/teaching/`` (git-ignored, remade from the notebooks and the checkers each time,
never edited by hand):

- ``answer_key.md``: every exercise, notebook by notebook, with its hint, the checker's own solution
  and its explanation (the very ``solution_code`` that ``qN.solution()`` prints and the tests check);
- ``blank/NN_name.ipynb``: the notebooks for live coding: the lesson's code cells emptied, so the
  instructor types them with the room; the prose, the set-up cell, the checker import and the
  exercise cells are kept, and every output is cleared.
"""
from __future__ import annotations

import argparse
import copy
import json
import re
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from helpers import notebook_paths, outputs_dir, shown_path  # noqa: E402
from helpers.exercises import QUESTIONS  # noqa: E402

SET_UP_MARK = "#@title Set-up"
EXERCISE_CELL = re.compile(r"(^from helpers\.exercises import nb\d\d$)|(\bnb\d\d\.q\d+\.check\()", re.M)


def kept_in_blank_copy(source: str) -> bool:
    """The code cells a live-coding copy keeps: the set-up cell, the checker import, the exercise cells."""
    return source.startswith(SET_UP_MARK) or bool(EXERCISE_CELL.search(source))


def blank_copy(notebook: dict) -> dict:
    """``notebook`` with its lesson code cells emptied and every output cleared."""
    blank = copy.deepcopy(notebook)
    for cell in blank["cells"]:
        if cell["cell_type"] != "code":
            continue
        cell["outputs"], cell["execution_count"] = [], None
        if not kept_in_blank_copy("".join(cell["source"])):
            cell["source"] = []
    return blank


def exercise_titles(notebook: dict) -> dict[int, str]:
    """Exercise number -> its title, from the notebook's "### Exercise N: title" headings."""
    titles = {}
    for cell in notebook["cells"]:
        if cell["cell_type"] == "markdown":
            for number, title in re.findall(r"^### Exercise (\d+): (.+)$", "".join(cell["source"]), re.M):
                titles[int(number)] = title.strip()
    return titles


def answer_key(notebooks: dict[str, dict]) -> str:
    """The answer key as Markdown: per notebook, per exercise, its hint and the checker's solution."""
    lines = ["# Answer key", "",
             "Made by `make teaching-copies` from the checkers in `helpers/exercises/` (the same solutions "
             "that `qN.solution()` prints in the notebooks, each accepted by its checker in the tests). "
             "Do not edit: run the command again.", ""]
    for stem, notebook in notebooks.items():
        titles = exercise_titles(notebook)
        questions = sorted((q for q in QUESTIONS.values() if q.name.startswith(f"nb{stem[:2]}.")),
                           key=lambda q: int(q.name.split(".q")[1]))
        if not questions:
            continue
        lines += [f"## {stem}", ""]
        for question in questions:
            number = int(question.name.split(".q")[1])
            lines += [f"### Exercise {number}: {titles.get(number, question.answer_name)}", "",
                      f"Checked with `{question.name}.check({question.answer_name})`.", "",
                      f"- Hint: {question.hint_text}",
                      f"- Solution: {question.explanation}", "",
                      "```python", question.solution_code, "```", ""]
    return "\n".join(lines)


def write_teaching_copies(folder: Path) -> list[Path]:
    """Write the answer key and the blank notebooks into ``folder``; return the paths written."""
    notebooks = {path.stem: json.loads(path.read_text(encoding="utf-8")) for path in notebook_paths()}
    (folder / "blank").mkdir(parents=True, exist_ok=True)
    written = [folder / "answer_key.md"]
    written[0].write_text(answer_key(notebooks), encoding="utf-8")
    for stem, notebook in notebooks.items():
        path = folder / "blank" / f"{stem}.ipynb"
        path.write_text(json.dumps(blank_copy(notebook), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None, help="the folder to write (default: outputs/teaching)")
    args = parser.parse_args(argv)
    folder = args.out or outputs_dir() / "teaching"
    written = write_teaching_copies(folder)
    print(f"Wrote the answer key and {len(written) - 1} blank notebooks to {shown_path(folder)}/")
    print(f"  {shown_path(written[0])}")
    print(f"  {shown_path(folder / 'blank')}/ (open them with `make lab`, or copy them beside the notebooks)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
