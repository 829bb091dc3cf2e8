"""Execute the whole series headlessly into ``outputs/`` (what ``make run`` does).

``python -m tools.execute_series`` executes notebooks/NN_*.ipynb in order, writes the executed copies
to outputs/notebooks/ and reports each notebook's time, kernel peak memory and slowest cell (every
code cell's time goes to outputs/notebooks/timings.json); ``--summary`` only prints where the
outputs are, the test accuracies of the dense network and the convnet, the notebooks' total time
and the slowest cells.  ``--store``
executes the given notebooks and writes them back into notebooks/ (how the stored outputs are
made), canonically: no per-cell timestamps and no interpreter version, so re-running
unchanged code leaves git clean.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

from helpers import REPO_ROOT, convnet_path, model_path, outputs_dir, shown_path, test_metrics_path

NOTEBOOKS = REPO_ROOT / "notebooks"


def kernel_peak_mib(pid: int | None) -> float | None:
    """Peak resident memory (VmHWM) of a live process, in MiB; None where /proc is not available."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except (OSError, TypeError, ValueError):
        pass
    return None


ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def terminal_text(text: str) -> str:
    """``text`` as a terminal would leave it: progress bars redrawn with \\r and \\b reduced to their last state,
    colour codes dropped (Keras's progress bar writes hundreds of fragments that render as control characters
    outside Jupyter)."""
    if not any(mark in text for mark in ("\r", "\b", "\x1b")):
        return text
    lines = []
    for raw in ANSI_ESCAPE.sub("", text).split("\n"):
        line: list[str] = []
        column = 0
        for char in raw:
            if char == "\r":
                column = 0
            elif char == "\b":
                column = max(0, column - 1)
            else:
                if column < len(line):
                    line[column] = char
                else:
                    line.append(char)
                column += 1
        lines.append("".join(line).rstrip())
    return "\n".join(lines)


def coalesced_streams(outputs: list[dict]) -> list[dict]:
    """Consecutive stream outputs of one name joined into one, as Jupyter shows them, and reduced by ``terminal_text``."""
    joined: list[dict] = []
    for output in outputs:
        if (output.get("output_type") == "stream" and joined and joined[-1].get("output_type") == "stream"
                and joined[-1].get("name") == output.get("name")):
            joined[-1]["text"] = "".join(joined[-1]["text"]) + "".join(output["text"])
        else:
            joined.append(output)
    for output in joined:
        if output.get("output_type") == "stream":
            text = terminal_text("".join(output["text"]))
            output["text"] = text.splitlines(keepends=True)
    return joined


# The metadata a stored notebook keeps (an allow-list, as TensorFlow docs' nbfmt keeps one): the kernel to
# start, and the cells' tags and collapsed state; whatever an editor or a run adds is dropped.
NOTEBOOK_METADATA = {
    "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
    "language_info": {"codemirror_mode": {"name": "ipython", "version": 3}, "file_extension": ".py",
                      "mimetype": "text/x-python", "name": "python", "nbconvert_exporter": "python",
                      "pygments_lexer": "ipython3"},
}
CELL_METADATA = ("tags", "cellView", "jupyter")  # nbval's tags; Colab's and JupyterLab's collapsed set-up cell


def notebook_text(notebook: dict) -> str:
    """The notebook as stored in git: nbformat's layout, allow-listed metadata, streams coalesced."""
    notebook = json.loads(json.dumps(notebook))  # a plain-dict copy (also of nbformat's NotebookNode)
    notebook["metadata"] = json.loads(json.dumps(NOTEBOOK_METADATA))
    for cell in notebook.get("cells", []):
        cell["metadata"] = {key: value for key, value in cell.get("metadata", {}).items() if key in CELL_METADATA}
        if "outputs" in cell:
            cell["outputs"] = coalesced_streams(cell["outputs"])
        for output in cell.get("outputs", []):
            # a live widget's view: its model id is new at every run, and the model is gone once stored
            output.get("data", {}).pop("application/vnd.jupyter.widget-view+json", None)
        if isinstance(cell.get("source"), str):
            cell["source"] = cell["source"].splitlines(keepends=True)
    return json.dumps(notebook, sort_keys=True, indent=1, ensure_ascii=False) + "\n"


def execute(path: Path, timeout_s: int = 1800, store: bool = False) -> tuple[float, float | None, list[dict]]:
    """Run one notebook in a fresh kernel; write the executed copy (``store``: over the original).

    Returns the seconds it took, the kernel's peak MiB, and each code cell's index, first line and seconds.
    """
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=timeout_s, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    peak = None
    log = outputs_dir() / "notebooks" / f"{path.stem}.kernel.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    # The kernel's own stderr (TensorFlow's C++ start-up messages) goes to a log file, not the terminal.
    cells = []
    with open(log, "w") as kernel_stderr, client.setup_kernel(stderr=kernel_stderr):
        for index, cell in enumerate(notebook.cells):
            cell_start = time.perf_counter()
            client.execute_cell(cell, index)
            if cell.cell_type == "code":
                first_line = next((line for line in cell.source.splitlines() if line.strip()), "")
                cells.append({"cell": index, "first_line": first_line[:60],
                              "seconds": round(time.perf_counter() - cell_start, 2)})
        process = getattr(client.km.provisioner, "process", None)
        peak = kernel_peak_mib(getattr(process, "pid", None))
    seconds = time.perf_counter() - start
    (path if store else log.parent / path.name).write_text(notebook_text(notebook), encoding="utf-8")
    return seconds, peak, cells


def timings_path() -> Path:
    """Where ``make run`` keeps each notebook's time, peak memory and cell times (its summary reads them)."""
    return outputs_dir() / "notebooks" / "timings.json"


def slowest_cells(timings: dict, count: int = 5) -> list[tuple[str, dict]]:
    cells = [(name, cell) for name, run in timings.items() for cell in run["cells"]]
    return sorted(cells, key=lambda item: -item[1]["seconds"])[:count]


def test_metrics_files() -> list[tuple[str, Path, str]]:
    """The two networks' test-metrics files (helpers.model writes them), each with its label and writer."""
    return [("dense network", test_metrics_path(model_path()), "notebook 06"),
            ("convnet", test_metrics_path(convnet_path()), "notebook 11")]


def summary() -> int:
    """Print where the outputs are and both test accuracies (written by notebooks 06 and 11)."""
    out = outputs_dir()
    print(f"Outputs in {out}/")
    for label, pattern in [("trained models", "*.keras"), ("training history", "history.json"),
                           ("accuracy curves", "figures/accuracy_curves.png"),
                           ("network diagrams", "figures/[mn][oe]*.png")]:
        found = sorted(out.glob(pattern))
        print(f"  {label:19} {', '.join(shown_path(p) for p in found) if found else '(none yet)'}")
    for label, folder, pattern in [("all figures", "figures", "*.png"), ("executed notebooks", "notebooks", "*.ipynb")]:
        print(f"  {label:19} {shown_path(out / folder)}/ ({len(list((out / folder).glob(pattern)))} {pattern[2:]} files)")
    missing = 0
    for label, metrics_file, writer in test_metrics_files():
        if not metrics_file.exists():
            print(f"Test accuracy, {label}: none yet ({writer} writes {shown_path(metrics_file)}).")
            missing += 1
            continue
        metrics = json.loads(metrics_file.read_text())
        print(f"Test accuracy, {label + ':':15} {metrics['test_accuracy']:.2%} (test loss {metrics['test_loss']:.4f})")
    if timings_path().exists():
        timings = json.loads(timings_path().read_text(encoding="utf-8"))
        print(f"Notebook time: {sum(run['seconds'] for run in timings.values()):.0f} s for {len(timings)} notebooks "
              "on this machine; the slowest cells:")
        for name, cell in slowest_cells(timings):
            print(f"  {cell['seconds']:6.1f} s  {name} cell {cell['cell']}: {cell['first_line']}")
    return 1 if missing else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--summary", action="store_true", help="only print where the outputs are")
    parser.add_argument("--store", action="store_true",
                        help="write the executed notebooks back into notebooks/ (the stored outputs)")
    parser.add_argument("notebooks", nargs="*", help="notebook files (default: notebooks/[0-9]*.ipynb)")
    args = parser.parse_args(argv)
    if args.summary:
        return summary()
    paths = [Path(p).resolve() for p in args.notebooks] or sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    timings = json.loads(timings_path().read_text(encoding="utf-8")) if timings_path().exists() else {}
    for path in paths:
        print(f"Running {shown_path(path)} …", flush=True)
        try:
            seconds, peak, cells = execute(path, store=args.store)
        except Exception as err:  # nbclient's CellExecutionError carries the cell and its traceback
            print(f"error: {shown_path(path)} failed: {str(err).strip().splitlines()[-1]}", file=sys.stderr)
            return 1
        memory = f"{peak:,.0f} MiB" if peak is not None else "n/a"
        slowest = max(cells, key=lambda cell: cell["seconds"], default=None)
        note = f"; slowest cell {slowest['cell']}, {slowest['seconds']:.1f} s" if slowest else ""
        print(f"  done in {seconds:.0f} s, kernel peak memory {memory}{note}", flush=True)
        timings[path.stem] = {"seconds": round(seconds, 1), "peak_mib": peak, "cells": cells}
        timings_path().write_text(json.dumps(dict(sorted(timings.items())), indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
