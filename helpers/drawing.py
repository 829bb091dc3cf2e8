"""A canvas in the notebook to draw a digit on with the mouse or a finger, and file uploads (used in notebook 09).

``DrawingPad`` is an anywidget: its front end, ``drawing_pad.js`` and ``drawing_pad.css``
beside this file, runs wherever anywidget does (JupyterLab, Jupyter Notebook, Colab, VS Code)
without an extension of our own.  It only shows things; the notebook does the work:

- ``strokes`` (from the browser): what you drew, a list of strokes, each a list of [x, y]
  points in canvas pixels (0 to ``size``), updated while you draw;
- ``seen`` (from Python): the 784 grey levels of the 28x28 image the network sees;
- ``probabilities`` (from Python): the network's ten probabilities, drawn as bars.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import traitlets

from helpers import REPO_ROOT
from helpers.handwriting import CANVAS, PEN

HERE = Path(__file__).parent


def _pinned(package: str) -> str:
    """``package==version`` as requirements.txt pins it."""
    text = (REPO_ROOT / "requirements.txt").read_text(encoding="utf-8")
    match = re.search(rf"^{re.escape(package)}==\S+", text, flags=re.MULTILINE)
    return match.group(0) if match else package


try:
    import anywidget
except ModuleNotFoundError:  # Colab has it; elsewhere requirements.txt installs it.  Installing is the learner's step.
    raise ModuleNotFoundError(f"anywidget is missing (notebook 09's drawing pad needs it): run %pip install "
                              f"{_pinned('anywidget')} in a cell, restart the kernel, and run the notebook again") from None


class DrawingPad(anywidget.AnyWidget):
    """Draw a digit; set ``seen`` and ``probabilities`` from a callback on ``strokes`` to show the answer."""

    _esm = HERE / "drawing_pad.js"
    _css = HERE / "drawing_pad.css"
    size = traitlets.Int(CANVAS).tag(sync=True)
    pen = traitlets.Int(PEN).tag(sync=True)
    strokes = traitlets.List(traitlets.List()).tag(sync=True)
    seen = traitlets.List(traitlets.Float()).tag(sync=True)
    probabilities = traitlets.List(traitlets.Float()).tag(sync=True)


def uploaded_file(value: Any) -> tuple[str, bytes]:
    """(name, bytes) of the file in an ``ipywidgets.FileUpload``'s value (ipywidgets 8, or 7 as on older Colab)."""
    if isinstance(value, dict):  # ipywidgets 7: {name: {"metadata": ..., "content": bytes}}
        value = [{"name": name, "content": item["content"]} for name, item in value.items()]
    if not value:
        raise ValueError("uploaded_file: no file uploaded yet: click the button and choose an image")
    first = value[0]
    return first["name"], bytes(first["content"])
