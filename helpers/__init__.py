"""Small shared utilities for the MNIST-with-Keras notebook series.

One module per concern: ``data`` (load MNIST), ``model`` (the reference
network, saving and loading it), ``plots`` (figures), ``diagram`` (Graphviz
drawings), ``exercises`` (self-checking questions), ``check`` (setup check),
``links`` (Binder and Colab links).  Every function here is first written
out, and explained, in a notebook.
"""
from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def outputs_dir() -> Path:
    """The git-ignored folder for everything the series produces (``$MNIST_OUTPUTS_DIR`` overrides it)."""
    path = Path(os.environ.get("MNIST_OUTPUTS_DIR") or REPO_ROOT / "outputs")
    path.mkdir(parents=True, exist_ok=True)
    return path


def shown_path(path: Path) -> str:
    """``path`` relative to the repository when it lies inside it, so printed paths read the same on every machine."""
    path = Path(path).resolve()
    try:
        return str(path.relative_to(REPO_ROOT))
    except ValueError:
        return str(path)
