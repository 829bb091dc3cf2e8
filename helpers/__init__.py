"""Small shared utilities for the MNIST-with-Keras notebook series: what the notebooks import.

One module per concern: ``data`` (load MNIST), ``model`` (the reference
network, saving and loading it), ``training_loop`` (notebook 08's compiled training loop),
``plots`` (figures), ``diagram`` (Graphviz drawings), ``handwriting`` (your own digits prepared
like MNIST's), ``drawing`` (the drawing pad widget), ``exercises`` (self-checking questions),
``check`` (setup check), ``kernels`` (the set-up cell's stopping of idle kernels), ``experiments``
(the what-if runs of notebooks 10 and 11 and their cached results).  The tooling learners never
call (links and set-up cells, executing the series, the benchmark) lives beside it, in ``tools/``.
Where a notebook first writes a function out and explains it, the function's
docstring says so ("written out in notebook N"; tests/test_written_out.py keeps
that true); later notebooks import it from here.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
# The series' notebooks: notebooks/00_setup_check.ipynb ... notebooks/11_convnet.ipynb.
NOTEBOOK_PATTERN = "[0-9][0-9]_*.ipynb"
# The cached results of the experiments of notebooks 10 and 11 (helpers.experiments makes and checks them).
RESULTS_PATH = REPO_ROOT / "notebooks" / "results" / "experiments.json"
CONVNET_RESULTS_PATH = REPO_ROOT / "notebooks" / "results" / "convnet_experiments.json"


# TensorFlow's C++ log level wherever the series runs (notebooks, tools, tests, the class hub): 3 keeps its
# info, warning and error lines out of the cells; Python errors still raise.
TF_CPP_MIN_LOG_LEVEL = "3"


def quiet_tensorflow_logs() -> None:
    """Set ``TF_CPP_MIN_LOG_LEVEL`` to the series' level, unless it is already set (0 shows every line)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", TF_CPP_MIN_LOG_LEVEL)


def notebook_paths(repo_root: Path = REPO_ROOT) -> list[Path]:
    """The numbered notebooks of the series, in order."""
    return sorted((repo_root / "notebooks").glob(NOTEBOOK_PATTERN))


def outputs_dir() -> Path:
    """The git-ignored folder for everything the series produces (``$MNIST_OUTPUTS_DIR`` overrides it)."""
    path = Path(os.environ.get("MNIST_OUTPUTS_DIR") or REPO_ROOT / "outputs")
    path.mkdir(parents=True, exist_ok=True)
    return path


# The files the series saves in outputs/ (helpers.model writes and reads them; `make run` reports them).
def convnet_path() -> Path:
    return outputs_dir() / "mnist_convnet.keras"


def model_path() -> Path:
    return outputs_dir() / "mnist_dense.keras"


def history_path() -> Path:
    """The per-epoch history of the saved model's fit (training images only)."""
    return outputs_dir() / "history.json"


def validation_history_path() -> Path:
    """The per-epoch history of notebook 05's watched run, with the validation set's numbers (``val_``)."""
    return outputs_dir() / "validation_history.json"


def test_metrics_path(model_file: Path) -> Path:
    """Where a saved model's test loss and accuracy go, beside it (``make run`` prints them)."""
    return model_file.with_name(f"{model_file.stem}_test_metrics.json")


def shown_path(path: Path) -> str:
    """``path`` relative to the repository when it lies inside it, so printed paths read the same on every machine."""
    path = Path(path).resolve()
    try:
        return str(path.relative_to(REPO_ROOT))
    except ValueError:
        return str(path)


def import_tensorflow_quietly() -> None:
    """Import TensorFlow with its C++ start-up messages in ``outputs/tensorflow.log``, not in the notebook.

    TensorFlow's C++ code writes lines such as "oneDNN custom operations are on" or "failed call
    to cuInit" straight to the process's stderr, which Jupyter shows in the cell; they are not
    errors of yours.  ``TF_CPP_MIN_LOG_LEVEL`` (``quiet_tensorflow_logs``) silences the later ones
    (set it to 0 before this call to see them all); the import-time ones go to the log file.  Without TensorFlow
    installed this does nothing (notebook 00 reports it).
    """
    quiet_tensorflow_logs()
    if "tensorflow" in sys.modules:
        return
    log_path = outputs_dir() / "tensorflow.log"
    sys.stderr.flush()
    saved_stderr = os.dup(2)
    try:
        with open(log_path, "ab") as log:
            os.dup2(log.fileno(), 2)
            try:
                import tensorflow  # noqa: F401
            except ImportError:
                pass
    finally:
        os.dup2(saved_stderr, 2)
        os.close(saved_stderr)
