"""The stored notebooks: executed, readable, complete; and notebook 07 without Graphviz."""
from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import pytest

from helpers import REPO_ROOT

NOTEBOOKS = sorted((REPO_ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
STEPS = [path for path in NOTEBOOKS if not path.name.startswith("00_")]


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def code_cells(notebook: dict) -> list[dict]:
    return [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]


def source(cell: dict) -> str:
    return "".join(cell["source"])


def test_the_series_is_complete():
    names = [path.stem for path in NOTEBOOKS]
    assert names == ["00_setup_check", "01_load_data", "02_network_architecture", "03_compile",
                     "04_preprocess", "05_train", "06_evaluate", "07_visualize", "08_under_the_hood"]


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


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_first_code_cell_is_the_colab_cell(path):
    first = source(code_cells(load(path))[0])
    assert '"google.colab" in sys.modules' in first and "REPO_URL = " in first


@pytest.mark.parametrize("path", STEPS, ids=lambda p: p.stem)
def test_step_notebook_has_objectives_time_exercises_and_key_points(path):
    notebook = load(path)
    markdown = [source(cell) for cell in notebook["cells"] if cell["cell_type"] == "markdown"]
    assert "**Objectives.**" in markdown[0] and "minutes" in markdown[0]
    assert markdown[-1].startswith("## Key points")
    checks = [source(c) for c in code_cells(notebook) if ".check(" in source(c)]
    assert len(checks) >= 2, f"{path.name}: fewer than two checked exercises"
    module = f"nb{path.name[:2]}"
    assert all(f"{module}.q" in check for check in checks)


@pytest.mark.parametrize("path", STEPS, ids=lambda p: p.stem)
def test_stored_exercises_show_the_unanswered_state(path):
    for cell in code_cells(load(path)):
        if ".check(" in source(cell):
            text = "".join("".join(o.get("text", "")) for o in cell["outputs"])
            assert "Not answered yet" in text, f"{path.name}: an exercise is stored answered or failing"


def test_training_logs_are_one_line_per_epoch():
    fit_cell = next(c for c in code_cells(load(REPO_ROOT / "notebooks/05_train.ipynb")) if "model.fit(" in source(c))
    log = "".join("".join(o.get("text", "")) for o in fit_cell["outputs"])
    assert log.count("469/469") == 5 and "\r" not in log and "━" not in log


def test_notebook_07_without_graphviz_prints_the_install_line(tmp_path):
    """The diagram cells print one line instead of a traceback, and the rest still runs."""
    nbformat = pytest.importorskip("nbformat")
    from nbclient import NotebookClient

    bindir = tmp_path / "bin"  # a PATH with python but without Graphviz's dot
    bindir.mkdir()
    os.symlink(sys.executable, bindir / "python")
    notebook = nbformat.read(REPO_ROOT / "notebooks/07_visualize.ipynb", as_version=4)
    old_path = os.environ["PATH"]
    os.environ["PATH"] = str(bindir)
    try:
        assert shutil.which("dot") is None
        NotebookClient(notebook, timeout=600, kernel_name="python3",
                       resources={"metadata": {"path": str(REPO_ROOT / "notebooks")}}).execute()
    finally:
        os.environ["PATH"] = old_path
    printed = [
        "".join(o.get("text", "")) for c in notebook.cells if c.cell_type == "code" for o in c.outputs
    ]
    assert sum("Graphviz's `dot` is not installed" in text and "apt-get install graphviz" in text
               for text in printed) == 2
    assert any("parameters:            407,050" in text for text in printed)
    assert not any(o.output_type == "error" for c in notebook.cells if c.cell_type == "code" for o in c.outputs)
