"""The stored notebooks: executed, readable, complete; and notebook 07 without Graphviz."""
from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest

from helpers import REPO_ROOT, notebook_paths

NOTEBOOKS = notebook_paths()
STEPS = [path for path in NOTEBOOKS if not path.name.startswith("00_")]


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def code_cells(notebook: dict) -> list[dict]:
    return [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]


def source(cell: dict) -> str:
    return "".join(cell["source"])


def is_navigation(cell: dict) -> bool:
    return "navigation" in cell.get("metadata", {}).get("tags", [])


def test_the_series_is_complete():
    names = [path.stem for path in NOTEBOOKS]
    assert names == ["00_setup_check", "01_load_data", "02_network_architecture", "03_compile",
                     "04_preprocess", "05_train", "06_evaluate", "07_visualize", "08_under_the_hood",
                     "09_ask_the_network", "10_experiments", "11_convnet"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_stored_notebook_is_executed_top_to_bottom(path):
    notebook = load(path)
    assert notebook["metadata"]["kernelspec"]["name"] == "python3", "kernelspec missing: JupyterLab would ask"
    cells = code_cells(notebook)
    counts = [cell["execution_count"] for cell in cells]
    assert None not in counts, f"{path.name}: a code cell was never executed (stored without outputs)"
    assert counts == list(range(1, len(cells) + 1)), f"{path.name}: not executed top to bottom in one kernel"
    assert any(cell["outputs"] for cell in cells), f"{path.name}: stored without outputs"
    for cell in cells:
        for output in cell["outputs"]:
            assert output["output_type"] != "error", f"{path.name}: stored output holds an error"
            assert output.get("name") != "stderr" or "Traceback" not in "".join(output["text"])


CHECKOUT_PATH = re.compile(r"/[\w.+-]+(?:/[\w.+-]+)*/(?:\.venv|notebooks|outputs|data|helpers)/")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_stored_output_shows_a_machines_checkout_path(path):
    """Paths into the repository are printed relative to it, so the stored outputs read the same everywhere."""
    for cell in code_cells(load(path)):
        for output in cell["outputs"]:
            text = "".join(output.get("text", "")) + "".join(output.get("data", {}).get("text/plain", ""))
            found = CHECKOUT_PATH.search(text)
            assert not found, f"{path.name}: an absolute path into a checkout in a stored output: {found[0]}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_first_code_cell_is_the_collapsed_setup_cell(path):
    first = code_cells(load(path))[0]
    assert '"google.colab" in sys.modules' in source(first) and "REPO_URL = " in source(first)
    assert source(first).startswith("#@title ") and "import_tensorflow_quietly()" in source(first)
    assert first["metadata"]["cellView"] == "form" and first["metadata"]["jupyter"]["source_hidden"] is True


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_navigation_at_top_and_bottom_links_previous_contents_and_next(path):
    cells = load(path)["cells"]
    assert is_navigation(cells[0]) and is_navigation(cells[-1]) and source(cells[0]) == source(cells[-1])
    assert sum(map(is_navigation, cells)) == 2
    index = NOTEBOOKS.index(path)
    links = source(cells[0])
    assert "[Contents](../README.md#the-notebooks)" in links
    assert (f"]({NOTEBOOKS[index - 1].name})" in links) == (index > 0)
    assert index + 1 == len(NOTEBOOKS) or f"]({NOTEBOOKS[index + 1].name})" in links


def draws_a_figure(cell: dict) -> bool:
    return cell["cell_type"] == "code" and any("image/png" in output.get("data", {}) for output in cell["outputs"])


def is_caption(cell: dict) -> bool:
    return "caption" in cell.get("metadata", {}).get("tags", [])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_figure_has_a_caption_after_it(path):
    """A text alternative for every figure (#14 §2): the Markdown cell right after a cell that drew one, tagged
    ``caption``, one paragraph "*Figure.* ..." that says what it shows; the book makes it the images' alt text."""
    cells = load(path)["cells"]
    for index, cell in enumerate(cells):
        if draws_a_figure(cell):
            following = cells[index + 1] if index + 1 < len(cells) else {"cell_type": None}
            assert following["cell_type"] == "markdown" and is_caption(following), \
                f"{path.name}: no caption cell after the figure of cell {cell['id']}:\n{source(cell)[:200]}"
        if is_caption(cell):
            assert index > 0 and draws_a_figure(cells[index - 1]), \
                f"{path.name}: the caption {cell['id']} does not follow a cell that drew a figure"
            assert cell["cell_type"] == "markdown"
            text = source(cell)
            assert text.startswith("*Figure.* ") and "\n\n" not in text.strip(), \
                f"{path.name}: a caption is one paragraph that starts with *Figure.*: {text[:80]!r}"
            assert len(text[len("*Figure.*"):].split()) >= 8, f"{path.name}: a caption says what it shows: {text!r}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_stored_notebook_is_canonical(path):
    """No per-cell timestamps, no interpreter version: a re-run with no change leaves git clean."""
    from tools.execute_series import notebook_text

    text = path.read_text(encoding="utf-8")
    assert notebook_text(json.loads(text)) == text, f"{path.name}: run `python -m tools.execute_series --store {path}`"
    assert "version" not in load(path)["metadata"].get("language_info", {})


def test_the_canonical_writer_keeps_only_allow_listed_metadata():
    from tools.execute_series import NOTEBOOK_METADATA, notebook_text

    drifted = {"nbformat": 4, "nbformat_minor": 5,
               "metadata": {"kernelspec": {"name": "python3"}, "language_info": {"name": "python", "version": "3.12.1"},
                            "colab": {"provenance": []}, "widgets": {"state": {}}},
               "cells": [{"cell_type": "code", "id": "a", "execution_count": 1, "outputs": [], "source": ["1"],
                          "metadata": {"tags": ["nbval-ignore-output"], "scrolled": True,
                                       "execution": {"iopub.execute_input": "2026-11-30T01:00:00Z"}}}]}
    stored = json.loads(notebook_text(drifted))
    assert stored["metadata"] == NOTEBOOK_METADATA
    assert stored["cells"][0]["metadata"] == {"tags": ["nbval-ignore-output"]}


# The cells whose outputs nbval does not compare at all (tag nbval-ignore-output), each with its reason. Everything
# else is compared, after tests/nbval_sanitize.cfg's rules hide what differs between machines in other cells.
IGNORED_OUTPUTS = {
    ("00_setup_check", "6dfaaae6"): "the checklist reports this machine: its Python's path, versions, memory, disk",
    ("01_load_data", "f0d85e67"): "the Keras download succeeds or fails with the network",
    ("04_preprocess", "12b713cd"): "a table of three seeds' trained losses and accuracies, every number trained",
    ("05_train", "6c8352c3"): "five lines of trained accuracies and losses, as percentages and decimals",
    ("06_evaluate", "cfa8ce2e"): "the counts of each confusion depend on the trained weights",
    ("06_evaluate", "5a011fe6"): "the number of mistakes depends on the trained weights",
    ("08_under_the_hood", "58ff0ea9"): "a loss to six decimals: the last can differ with the CPU's matrix kernels",
    ("08_under_the_hood", "102fcc57"): "losses to four decimals after one update: they can differ with the CPU",
    ("08_under_the_hood", "983dff7f"): "how many weights never moved depends on the training run",
    ("08_under_the_hood", "d11e30ce"): "the hand loop's test accuracy and its distance from fit's, both trained",
    ("09_ask_the_network", "7b03b9ac"): "which test images the trained network is surest and least sure of",
    ("09_ask_the_network", "a08055a8"): "how many test images the trained network is more than 99% sure of",
    ("09_ask_the_network", "6d87d3f7"): "the answers for a digit turned 45 degrees or more are near a boundary",
    ("11_convnet", "5c16436c"): "the dense network's mistakes, counted with this run's trained model",
    ("11_convnet", "76ea63b5"): "the mistakes both networks make, counted with this run's trained models",
}


def test_outputs_not_compared_are_few_and_each_has_a_reason():
    ignored = {(path.stem, cell["id"]) for path in NOTEBOOKS for cell in code_cells(load(path))
               if "nbval-ignore-output" in cell.get("metadata", {}).get("tags", [])}
    assert ignored == set(IGNORED_OUTPUTS), ("give each ignored cell its reason in IGNORED_OUTPUTS, or compare it: "
                                             f"tagged only {ignored - set(IGNORED_OUTPUTS)}, "
                                             f"listed only {set(IGNORED_OUTPUTS) - ignored}")
    assert len(ignored) <= 20
    assert f"the {len(ignored)} cells tagged `nbval-ignore-output`" in (REPO_ROOT / "README.md").read_text(encoding="utf-8")


def sanitize_rules() -> list[tuple[str, str]]:
    from nbval.plugin import get_sanitize_patterns
    return get_sanitize_patterns((REPO_ROOT / "tests" / "nbval_sanitize.cfg").read_text(encoding="utf-8"))


def output_texts(path: Path) -> list[str]:
    texts = []
    for cell in code_cells(load(path)):
        for output in cell["outputs"]:
            text = output.get("text") or output.get("data", {}).get("text/plain", "")
            texts.append("".join(text))
    return texts


def test_every_sanitizer_rule_is_used_and_the_cached_tables_stay_compared():
    rules = sanitize_rules()
    assert rules, "tests/nbval_sanitize.cfg has no rule nbval can read"
    texts = [text for path in NOTEBOOKS for text in output_texts(path)]
    for regex, _ in rules:
        assert any(re.search(regex, text) for text in texts), f"the rule {regex!r} hides nothing: remove it"
    # Notebook 10's tables come from the committed results file: only their durations may be hidden.
    for text in output_texts(REPO_ROOT / "notebooks" / "10_experiments.ipynb"):
        sanitized = text
        for regex, replace in rules:
            sanitized = re.sub(regex, replace, sanitized)
        if "val_accuracy" in text and "live:" not in text:
            assert re.sub(r"\b\d+ s\b", "<seconds> s", text) == sanitized


def test_the_notebooks_share_files_and_the_split_through_the_helpers():
    """One source each: the saved model's histories and test metrics are written by helpers.model's functions, and the
    validation split is helpers.data.VALIDATION_SIZE (not a file name or 50000 typed into a notebook)."""
    for path in NOTEBOOKS:
        for cell in code_cells(load(path)):
            code = source(cell)
            assert "write_text(json.dumps" not in code, f"{path.name}: save through helpers.model (save_history, ...)"
            assert not re.search(r"\[:?50000:?\]|_metrics\.json|history\.json", code), \
                f"{path.name}: use VALIDATION_SIZE and helpers.model's paths:\n{code}"


def test_nbval_markers_are_tags_not_comments():
    for path in NOTEBOOKS:
        for cell in code_cells(load(path)):
            assert "NBVAL_" not in source(cell), f"{path.name}: use the cell tag nbval-ignore-output"


def test_rerunning_a_notebook_leaves_it_unchanged(tmp_path, monkeypatch):
    """``tools.execute_series --store`` on a copy of a stored notebook writes the very same bytes."""
    monkeypatch.setenv("MNIST_OUTPUTS_DIR", str(tmp_path / "outputs"))  # its kernel log too stays out of outputs/
    original = REPO_ROOT / "notebooks/02_network_architecture.ipynb"
    copy = tmp_path / original.name
    shutil.copy(original, copy)
    from tools.execute_series import execute

    execute(copy, store=True)
    assert copy.read_bytes() == original.read_bytes()


def test_no_tensorflow_startup_lines_with_ipykernel_defaults(tmp_path, monkeypatch):
    """A kernel with ipykernel's defaults (C-level stderr captured into cells, no TF_CPP_MIN_LOG_LEVEL).

    ``SKIP_SETUP_CELL=1`` leaves out the set-up cell, to see this test fail without it.
    """
    nbformat = pytest.importorskip("nbformat")
    from nbclient import NotebookClient

    notebook = nbformat.read(REPO_ROOT / "notebooks/05_train.ipynb", as_version=4)
    first = int(os.environ.get("SKIP_SETUP_CELL", "0"))
    notebook.cells = [c for c in notebook.cells if c.cell_type == "code"][first:3]  # set-up, imports and data
    notebook.cells.append(nbformat.v4.new_code_cell(
        "import numpy as np\nkeras.Sequential([keras.Input((4,)), keras.layers.Dense(2)]).predict(np.zeros((1, 4)))\n"
        "print('done')"))
    monkeypatch.delenv("TF_CPP_MIN_LOG_LEVEL", raising=False)
    monkeypatch.delenv("PYTEST_CURRENT_TEST", raising=False)  # else ipykernel does not capture C-level output
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))  # an empty profile: no kernel config of any kind
    NotebookClient(notebook, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(REPO_ROOT / "notebooks")}}).execute()
    printed = "".join("".join(o.get("text", "")) for c in notebook.cells for o in c.outputs)
    assert "done" in printed
    for marker in ("absl", "oneDNN", "cuInit", "cuda", "cpu_feature_guard", "I0000", "E0000", "W0000"):
        assert marker not in printed, f"TensorFlow's start-up log reached a cell: {printed[:300]}"


def test_make_run_reports_the_slowest_cells(tmp_path, monkeypatch, capsys):
    """``tools.execute_series`` times every code cell into timings.json; the summary prints the slowest with their times."""
    import nbformat

    from tools import execute_series as run

    monkeypatch.setenv("MNIST_OUTPUTS_DIR", str(tmp_path / "outputs"))
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# A notebook"),
        nbformat.v4.new_code_cell("x = 1"),
        nbformat.v4.new_code_cell("import time\ntime.sleep(1.5)  # the slow one"),
    ])
    path = tmp_path / "99_timed.ipynb"
    nbformat.write(notebook, path)
    assert run.main([str(path)]) == 0
    timings = json.loads(run.timings_path().read_text())
    cells = timings["99_timed"]["cells"]
    assert [cell["cell"] for cell in cells] == [1, 2]
    assert cells[1]["seconds"] >= 1.5 > cells[0]["seconds"]
    assert "slowest cell 2, " in capsys.readouterr().out
    run.summary()
    printed = capsys.readouterr().out
    assert re.search(r"Notebook time: \d+ s for 1 notebooks", printed)
    slow_line = next(line for line in printed.splitlines() if "99_timed cell 2" in line)
    assert "import time" in slow_line and printed.index("99_timed cell 2") < printed.index("99_timed cell 1")
