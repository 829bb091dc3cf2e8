"""Writes notebooks/drawings/two_scan.png: the example "two" of examples.json as a scan would give it, dark ink on
unevenly lit grey paper (notebook 09 reads it).

    python -m tools.make_scan
"""
import json

import numpy as np
from PIL import Image

from helpers import REPO_ROOT
from helpers.handwriting import draw_strokes

HERE = REPO_ROOT / "notebooks" / "drawings"
ink = draw_strokes(json.loads((HERE / "examples.json").read_text())["two"], size=280, pen=20)
rng = np.random.default_rng(0)
paper = np.linspace(200, 240, 280)[None, :] + rng.normal(0, 4, (280, 280))  # lit from the right, grainy
scan = paper * (1 - ink) + 40 * ink
Image.fromarray(np.clip(scan, 0, 255).astype(np.uint8)).save(HERE / "two_scan.png", optimize=True)
