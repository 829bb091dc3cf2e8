"""Every figure the prose quotes from a run is checked against what the stored notebooks printed.

A row of ``FIGURES`` says: this exact text appears in the prose of ``source`` (a notebook's Markdown
cells, the README or the instructor guide); the number in it must be within ``tolerance`` of the
number that ``pattern`` (a regular expression with one group) finds in the stored outputs of
notebook ``printed_by``.  Training on a CPU is not bit-for-bit repeatable (threads sum in a
different order), so the tolerances allow for the run-to-run wobble, and no more: a changed seed,
version or recipe that moves a number makes this test fail instead of leaving the text wrong.

Add a row whenever you quote a number printed by a cell.  Prefer not to quote at all: "the
accuracy printed above" stays true by itself.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from helpers import REPO_ROOT, notebook_paths


@dataclass(frozen=True)
class Figure:
    source: str        # "notebooks/06_evaluate.ipynb", "README.md", "notebooks/INSTRUCTOR_GUIDE.md"
    quote: str         # the exact text in the prose, containing one number (e.g. "about 98%")
    printed_by: str    # the notebook whose stored outputs hold the figure
    pattern: str       # a regex with one group: the printed number
    tolerance: float   # absolute, in the units of the quote
    scale: float = 1.0  # printed value x scale = quoted value (0.9794 printed as a fraction, quoted as 97.9%)

    def __str__(self) -> str:
        return f"{self.source}: {self.quote!r}"


TEST_ACCURACY = r"test accuracy: ([\d.]+)%"

FIGURES: list[Figure] = [
    Figure("README.md", "about **98% test accuracy**", "notebooks/06_evaluate.ipynb", TEST_ACCURACY, 0.5),
    # notebooks 01 and 02: sizes and parameter counts the prose states, as the cells print them
    Figure("notebooks/01_load_data.ipynb", "a stack of **60,000 images**", "notebooks/01_load_data.ipynb",
           r"x_train\s+shape=\((\d+), 28, 28\)", 0),
    Figure("notebooks/01_load_data.ipynb", "holds **10,000** more images", "notebooks/01_load_data.ipynb",
           r"x_test\s+shape=\((\d+), 28, 28\)", 0),
    Figure("notebooks/02_network_architecture.ipynb", "biases = **401,920**",
           "notebooks/02_network_architecture.ipynb", r"hidden: \d+ by hand, (\d+) in Keras", 0),
    Figure("notebooks/02_network_architecture.ipynb", "biases = **5,130**",
           "notebooks/02_network_architecture.ipynb", r"output: \d+ by hand, (\d+) in Keras", 0),
    Figure("notebooks/02_network_architecture.ipynb", "**407,050** numbers to learn",
           "notebooks/02_network_architecture.ipynb", r"total:\s+\d+ by hand, (\d+) in Keras", 0),
    Figure("notebooks/09_ask_the_network.ipynb", "about 98% on the test set", "notebooks/06_evaluate.ipynb",
           TEST_ACCURACY, 0.5),
    # notebook 10: notebook 06's test accuracy is the seed-0 run of the luck experiments (same recipe, same seed)
    Figure("notebooks/10_experiments.ipynb", "the 97.96% test accuracy",
           "notebooks/06_evaluate.ipynb", TEST_ACCURACY, 0.005),
    Figure("notebooks/10_experiments.ipynb", "the 97.96% test accuracy",
           "notebooks/10_experiments.ipynb", r"seed 0: test accuracy ([\d.]+)%", 0.005),
    # notebooks 03, 05, 07 and 08: counts the prose states, as the cells print them
    Figure("notebooks/03_compile.ipynb", "not one weight but 407,050", "notebooks/02_network_architecture.ipynb",
           r"total:\s+\d+ by hand, (\d+) in Keras", 0),
    Figure("notebooks/05_train.ipynb", "**469 steps**", "notebooks/05_train.ipynb", r"steps per epoch: (\d+)", 0),
    Figure("notebooks/05_train.ipynb", "the epoch's 391 batches", "notebooks/05_train.ipynb",
           r"steps per epoch on 50,000 images: (\d+)", 0),
    Figure("notebooks/07_visualize.ipynb", "their 406,528 connections", "notebooks/07_visualize.ipynb",
           r"connections \(weights\): ([\d,]+)", 0),
    Figure("notebooks/08_under_the_hood.ipynb", "2,345 updates that take", "notebooks/05_train.ipynb",
           r"weight updates in 5 epochs: (2\d+)", 0),
    Figure("notebooks/11_convnet.ipynb", "reads about 98% of the test digits", "notebooks/11_convnet.ipynb",
           r"dense test accuracy: +([\d.]+)%", 0.5),
]


def prose(source: str) -> str:
    """The text a reader reads: Markdown cells of a notebook, or the whole Markdown file."""
    path = REPO_ROOT / source
    if path.suffix != ".ipynb":
        return path.read_text(encoding="utf-8")
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")


def printed(notebook: str) -> str:
    """Everything the stored notebook printed (stream text and plain-text results)."""
    cells = json.loads((REPO_ROOT / notebook).read_text(encoding="utf-8"))["cells"]
    texts = []
    for cell in cells:
        for output in cell.get("outputs", []):
            texts.append("".join(output.get("text", "")))
            texts.append("".join(output.get("data", {}).get("text/plain", "")))
    return "\n".join(texts)


def number_in(text: str) -> float:
    numbers = re.findall(r"\d[\d,]*(?:\.\d+)?", text)
    assert len(numbers) == 1, f"the quote {text!r} must contain exactly one number"
    return float(numbers[0].replace(",", ""))


@pytest.mark.parametrize("figure", FIGURES, ids=str)
def test_quoted_figure_matches_the_stored_output(figure: Figure) -> None:
    text = prose(figure.source)
    assert figure.quote in text, f"{figure.source} no longer says {figure.quote!r}: update FIGURES"
    found = re.findall(figure.pattern, printed(figure.printed_by))
    assert found, f"{figure.printed_by} no longer prints {figure.pattern!r}"
    value = float(found[-1].replace(",", "")) * figure.scale
    quoted = number_in(figure.quote)
    assert abs(quoted - value) <= figure.tolerance, (
        f"{figure}: the notebook printed {value:g}, more than {figure.tolerance:g} away: update the prose"
    )


def test_figures_are_readable_paths() -> None:
    for figure in FIGURES:
        assert (REPO_ROOT / figure.source).is_file() and (REPO_ROOT / figure.printed_by).is_file()
        assert re.compile(figure.pattern).groups == 1
        assert Path(figure.printed_by).suffix == ".ipynb"


def notebook_minutes(path: Path) -> int:
    """The "about N minutes" of a notebook's first (non-navigation) Markdown cell."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    first = next("".join(c["source"]) for c in cells if c["cell_type"] == "markdown"
                 and "navigation" not in c.get("metadata", {}).get("tags", []))
    return int(re.search(r"about (\d+) minutes", first)[1])


def test_readme_table_gives_each_notebook_its_own_minutes_and_lists_them_all() -> None:
    rows = re.findall(r"^\| \d+ \| \[(\w+)\]\(notebooks/\1\.ipynb\) \|.*\| (\d+) \|$",
                      (REPO_ROOT / "README.md").read_text(encoding="utf-8"), re.M)
    notebooks = notebook_paths()
    assert [name for name, _ in rows] == [path.stem for path in notebooks]
    for (name, minutes), path in zip(rows, notebooks):
        assert int(minutes) == notebook_minutes(path), f"README says {minutes} minutes for {name}"


def test_instructor_guide_gives_each_notebook_its_own_minutes() -> None:
    guide = (REPO_ROOT / "notebooks/INSTRUCTOR_GUIDE.md").read_text(encoding="utf-8")
    line = re.search(r"in minutes, are\n(.*?)\n", guide)[1]
    pairs = dict(re.findall(r"(\d\d): (\d+)", line))
    notebooks = notebook_paths()
    assert sorted(pairs) == [path.name[:2] for path in notebooks]
    for path in notebooks:
        assert int(pairs[path.name[:2]]) == notebook_minutes(path), f"the guide's minutes for {path.name}"
    assert f"the {sum(int(pairs[f'{n:02d}']) for n in range(9))} minutes of notebooks 00 to 08" in guide


def test_the_readmes_benchmark_figures_are_those_of_the_committed_run() -> None:
    """README's *Speed and memory* quotes one `make bench` run, kept in tools/measurements/bench.txt."""
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    paragraph = readme.split("## Speed and memory", 1)[1].split("\n## ", 1)[0]
    bench = (REPO_ROOT / "tools" / "measurements" / "bench.txt").read_text(encoding="utf-8")
    quoted = re.findall(r"\d+\.\d+(?= s| GFLOP/s|%)|(?<=ratio=)\d\.\d\d", paragraph)
    assert len(quoted) >= 10, quoted
    for figure in quoted:
        if figure in ("490.9", "5.46"):  # the FLOP count (tools/bench.py's docstring) and the target's reference
            continue
        assert figure in bench, f"README quotes {figure}, which the committed bench run does not print"
    for verdict in re.findall(r"(\w+_?\w*ratio)=([\d.]+)", paragraph):
        assert f"{verdict[0]}={verdict[1]}" in bench
