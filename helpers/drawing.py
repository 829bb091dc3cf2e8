"""A canvas in the notebook to draw a digit on with the mouse or a finger (used in notebook 09).

``DrawingPad`` is an anywidget: its front end, ``drawing_pad.js`` and ``drawing_pad.css``
beside this file, runs in JupyterLab, Jupyter Notebook, Colab and VS Code without an
extension of our own.  It only shows things; the notebook does the work:

- ``strokes`` (from the browser): what you drew, a list of strokes, each a list of [x, y]
  points in canvas pixels (0 to ``size``), updated while you draw;
- ``seen`` (from Python): the 784 grey levels of the 28x28 image the network sees;
- ``probabilities`` (from Python): the network's ten probabilities, drawn as bars.
"""
from __future__ import annotations

from pathlib import Path

import anywidget
import traitlets

from helpers.handwriting import CANVAS, PEN

HERE = Path(__file__).parent


class DrawingPad(anywidget.AnyWidget):
    """Draw a digit; set ``seen`` and ``probabilities`` from a callback on ``strokes`` to show the answer."""

    _esm = HERE / "drawing_pad.js"
    _css = HERE / "drawing_pad.css"
    size = traitlets.Int(CANVAS).tag(sync=True)
    pen = traitlets.Int(PEN).tag(sync=True)
    strokes = traitlets.List(traitlets.List()).tag(sync=True)
    seen = traitlets.List(traitlets.Float()).tag(sync=True)
    probabilities = traitlets.List(traitlets.Float()).tag(sync=True)
