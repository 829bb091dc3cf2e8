"""helpers.handwriting: your own digits prepared like MNIST's, so that the reference model reads them."""
from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from helpers import REPO_ROOT
from helpers.handwriting import (BOX, CANVAS, CENTRE, PEN, SIDE, centre_by_mass, centre_of_mass, crop_to_ink, draw_strokes,
                                 fit_in_box, ink_from_photo, prepare_digit, read_grey_image)

REDRAWN = 2000  # MNIST test digits redrawn at the canvas's size; enough to tell 97% from 95%
EXAMPLES = REPO_ROOT / "notebooks" / "drawings" / "examples.json"


@pytest.fixture(scope="module")
def model(reference_model):
    return reference_model


def predict(model, images: np.ndarray) -> np.ndarray:
    return model.predict(np.asarray(images).reshape(len(images), 784), verbose=0).argmax(axis=1)


def thicken(ink: np.ndarray, radius: int) -> np.ndarray:
    """Strokes made wider by ``radius`` pixels in every direction (a grey dilation with a disc)."""
    out = ink.copy()
    for dy in range(-radius, radius + 1):
        for dx in range(-radius, radius + 1):
            if dy * dy + dx * dx <= radius * radius:
                out = np.maximum(out, np.roll(ink, (dy, dx), axis=(0, 1)))
    return out


def redraw_on_canvas(digit: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """An MNIST digit as if drawn on the pad: scaled up to 120-240 px, anywhere on the 280x280 canvas, thicker."""
    size = int(rng.integers(120, 241))
    big = np.asarray(Image.fromarray(digit).resize((size, size), Image.Resampling.BILINEAR), dtype=np.float32) / 255
    canvas = np.zeros((CANVAS, CANVAS), dtype=np.float32)
    top, left = (int(v) for v in rng.integers(0, CANVAS - size + 1, size=2))
    canvas[top:top + size, left:left + size] = big
    return thicken(canvas, 3)


def test_redrawn_test_digits_are_still_read(model, mnist_test):
    """Scaled up, shifted off centre and thickened, then prepared: the reference model keeps >= 95% accuracy."""
    x_test, y_test = mnist_test
    rng = np.random.default_rng(0)
    chosen = rng.choice(len(x_test), size=REDRAWN, replace=False)
    canvases = [redraw_on_canvas(x_test[i], rng) for i in chosen]
    prepared = np.stack([prepare_digit(canvas) for canvas in canvases])
    shrunk = np.stack([np.asarray(Image.fromarray(c).resize((SIDE, SIDE), Image.Resampling.BOX)) for c in canvases])
    accuracy = float((predict(model, prepared) == y_test[chosen]).mean())
    original = float((predict(model, x_test[chosen].astype("float32") / 255) == y_test[chosen]).mean())
    only_shrunk = float((predict(model, shrunk / shrunk.max(axis=(1, 2), keepdims=True)) == y_test[chosen]).mean())
    print(f"\n{REDRAWN} test digits: original {original:.2%}, redrawn and prepared {accuracy:.2%}, "
          f"redrawn and only shrunk {only_shrunk:.2%}")
    assert accuracy >= 0.95
    assert only_shrunk < accuracy - 0.2  # the preparation is what makes the difference


def test_mnist_digits_come_out_nearly_as_they_went_in(mnist_test):
    """MNIST's own digits are already prepared: preparing them again moves them by at most a pixel or so."""
    x_test, _ = mnist_test
    for digit in x_test[:200]:
        prepared = prepare_digit(digit)
        assert prepared.shape == (SIDE, SIDE) and prepared.dtype == np.float32
        assert 0 <= prepared.min() and prepared.max() <= 1
        row, col = centre_of_mass(prepared)
        assert abs(row - 14) <= 0.5 and abs(col - 14) <= 0.5


def test_each_step_on_a_drawn_bar():
    canvas = np.zeros((280, 280), dtype=np.float32)
    canvas[40:240, 30:50] = 1.0  # a bar 200 tall, 20 wide, far left
    cropped = crop_to_ink(canvas)
    assert cropped.shape == (200, 20)
    boxed = fit_in_box(cropped)
    assert boxed.shape == (BOX, 2)  # aspect ratio kept: 200x20 -> 20x2
    seen = centre_by_mass(boxed)
    assert seen.shape == (SIDE, SIDE)
    assert centre_of_mass(seen) == pytest.approx((14.0, 14.0), abs=0.51)
    assert prepare_digit(canvas * 255) == pytest.approx(seen)  # grey levels: the strongest ink becomes 1


def test_draw_strokes_uses_the_pads_pen():
    image = draw_strokes([[[140, 40], [140, 240]]])
    assert image.shape == (CANVAS, CANVAS) and image.dtype == np.float32 and image.max() == 1.0
    columns = np.flatnonzero(image[140] > 0.5)
    assert abs(len(columns) - PEN) <= 2
    assert draw_strokes([[[100, 100]]]).sum() > 0  # a single dot is ink too
    assert draw_strokes([]).max() == 0


def test_example_drawings_and_scan_are_read(model):
    examples = json.loads(EXAMPLES.read_text())
    seven, two = (prepare_digit(draw_strokes(examples[name])) for name in ("seven", "two"))
    scan = read_grey_image((EXAMPLES.parent / "two_scan.png").read_bytes())
    from_scan = prepare_digit(ink_from_photo(scan))
    assert list(predict(model, np.stack([seven, two, from_scan]))) == [7, 2, 2]


@pytest.mark.parametrize("call, message", [
    (lambda: prepare_digit(np.zeros((280, 280))), "prepare_digit: the image is blank"),
    (lambda: prepare_digit(np.zeros((28, 28, 3))), "convert it to grey first"),
    (lambda: prepare_digit(np.zeros(784)), "shape (height, width), got shape (784,)"),
    (lambda: prepare_digit(np.full((5, 5), np.nan)), "NaN"),
    (lambda: prepare_digit(np.array([["a"]])), "expected numbers"),
    (lambda: centre_by_mass(np.ones((30, 10))), "fit_in_box first"),
    (lambda: draw_strokes([[1, 2, 3]]), "stroke 0 must be a list of [x, y] points"),
    (lambda: ink_from_photo(np.full((10, 10), 200, dtype=np.uint8)), "no ink darker than the paper"),
    (lambda: ink_from_photo(np.zeros((10, 10, 3))), "expected a grey image"),
    (lambda: read_grey_image(b"not an image"), "upload a PNG or JPEG"),
])
def test_bad_input_is_one_clear_line(call, message):
    with pytest.raises(ValueError) as error:
        call()
    assert message in str(error.value) and "\n" not in str(error.value)


def test_a_photo_is_read_upright_and_in_grey(tmp_path):
    rgb = np.full((60, 40, 3), 230, dtype=np.uint8)
    rgb[10:50, 18:22] = (20, 30, 200)  # a blue pen
    path = tmp_path / "digit.jpg"
    Image.fromarray(rgb).save(path)
    grey = read_grey_image(path.read_bytes())
    assert grey.shape == (60, 40) and grey.dtype == np.uint8
    ink = ink_from_photo(grey)
    assert ink[30, 20] == pytest.approx(1.0, abs=0.05) and ink[5, 5] == 0


def test_mnist_centre_of_mass_is_where_the_helper_puts_digits():
    """CENTRE (14.0, as the notebook says) is the mean centre of mass of MNIST's 60,000 training digits."""
    from helpers.data import load_mnist

    (x_train, _), _ = load_mnist()
    ink = x_train.astype(np.float64)
    total = ink.sum(axis=(1, 2))
    rows = (ink.sum(axis=2) * np.arange(SIDE)).sum(axis=1) / total
    cols = (ink.sum(axis=1) * np.arange(SIDE)).sum(axis=1) / total
    assert round(rows.mean(), 1) == round(cols.mean(), 1) == CENTRE == 14.0


def test_uploaded_file_reads_both_ipywidgets_formats():
    from helpers.drawing import uploaded_file

    version_8 = ({"name": "seven.png", "type": "image/png", "size": 3, "content": memoryview(b"abc")},)
    version_7 = {"seven.png": {"metadata": {"name": "seven.png"}, "content": b"abc"}}
    assert uploaded_file(version_8) == uploaded_file(version_7) == ("seven.png", b"abc")
    with pytest.raises(ValueError, match="no file uploaded yet"):
        uploaded_file(())


def test_drawing_pad_widget_has_its_front_end():
    from helpers.drawing import DrawingPad

    pad = DrawingPad()
    assert (pad.size, pad.pen, pad.strokes, pad.seen, pad.probabilities) == (CANVAS, PEN, [], [], [])
    assert "export default { render }" in pad._esm and ".mnist-pad-canvas" in pad._css
    pad.strokes = [[[1.0, 2.0], [3.0, 4.0]]]
    assert pad.get_state("strokes") == {"strokes": [[[1.0, 2.0], [3.0, 4.0]]]}


def test_without_anywidget_the_pad_says_how_to_install_it_and_installs_nothing():
    """On Colab too: importing the pad never runs pip; the error names the learner's step and the pinned version."""
    import subprocess
    import sys

    code = ("import sys, subprocess; sys.modules['anywidget'] = None; sys.modules['google.colab'] = object()\n"
            "subprocess.run = lambda *a, **k: sys.exit('ran ' + repr(a))\n"
            "import helpers.drawing")
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, timeout=60)
    pin = next(line for line in (REPO_ROOT / "requirements.txt").read_text().splitlines() if line.startswith("anywidget=="))
    last = result.stderr.strip().splitlines()[-1]
    assert result.returncode == 1 and "ran " not in result.stderr, result.stderr
    assert last.startswith("ModuleNotFoundError: anywidget is missing") and f"%pip install {pin}" in last, last


def test_notebook_09_prose_agrees_with_its_stored_outputs():
    """What notebook 09's prose says about its printed results holds in the stored notebook."""
    import re

    cells = json.loads((REPO_ROOT / "notebooks" / "09_ask_the_network.ipynb").read_text(encoding="utf-8"))["cells"]
    printed = "".join("".join(o.get("text", "")) for c in cells if c["cell_type"] == "code" for o in c["outputs"])
    # "On most images the network is very sure, and there it is almost always right; the few it is
    # unsure about hold a large share of its mistakes."
    sure = re.search(r"more than 99% sure: +(\d+) test images, accuracy ([\d.]+)%", printed)
    rest = re.search(r"the rest: +(\d+) test images, accuracy ([\d.]+)%", printed)
    sure_count, sure_accuracy, rest_count, rest_accuracy = (float(v) for v in (*sure.groups(), *rest.groups()))
    assert sure_count > 5000 and sure_accuracy > 99.5
    mistakes_sure, mistakes_rest = sure_count * (100 - sure_accuracy), rest_count * (100 - rest_accuracy)
    assert mistakes_rest > mistakes_sure
    # "Prepared, it looks like an MNIST 7" and only shrunk it is read differently.
    assert re.search(r"prepared +answer 7 ", printed) and not re.search(r"only shrunk +answer 7 ", printed)
    # "Slightly turned, it is still a 7 ... Turned further, the network's answer changes."
    turned = {angle: (answer, int(percent))
              for angle, answer, percent in re.findall(r"turned +(\d+)°: answer (\d) with (\d+)%", printed)}
    assert turned["0"][0] == turned["15"][0] == "7" and turned["90"][0] != "7"
    # "... often with high confidence"
    assert sum(percent >= 90 for answer, percent in turned.values() if answer != "7") >= 2
    # The scan of the example 2 is read as a 2.
    assert re.search(r"paper grey \d+, darkest \d+; answer 2 ", printed)
