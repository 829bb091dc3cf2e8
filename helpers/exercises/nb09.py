"""Exercises of notebook 09 (asking the network): ``nb09.q1`` (the least sure 7) and ``nb09.q2`` (ink from a scan)."""
from __future__ import annotations

import functools
from typing import Any

import numpy as np

from helpers.exercises.core import (Feedback, Question, Rejected, right, wrong, as_array, as_function, as_number,
                                    call_learner, mnist, x_test_prepared)

DIGIT = 7  # q1: the least sure of the test images of this digit


# ---------------------------------------------------------------- q1: the least sure seven

@functools.cache
def _test_probabilities() -> np.ndarray:
    """The saved reference model's probabilities for the 10,000 test images (the notebook's ``probabilities``)."""
    from helpers import import_tensorflow_quietly
    from helpers.model import model_path

    path = model_path()
    if not path.exists():
        raise Rejected(wrong(f"there is no trained model at {path.name} yet: run the notebook's first cells, "
                             "which load (or train) it."))
    import_tensorflow_quietly()
    import keras

    return keras.models.load_model(path).predict(x_test_prepared(), verbose=0)


def _judge_least_sure(answer: Any) -> Feedback:
    value = as_number(answer)
    if not float(value).is_integer():
        return wrong(f"{value:g} is not a whole number; the answer is an index into x_test.")
    index = int(value)
    _, (_, y_test) = mnist()
    probabilities = _test_probabilities()
    sevens = np.flatnonzero(y_test == DIGIT)
    confidence = probabilities.max(axis=1)
    expected = int(sevens[confidence[sevens].argmin()])
    if index == expected:
        return right(f"x_test[{index}] is a {DIGIT}; the network's highest probability for it is only "
                     f"{confidence[index]:.0%} (it says {probabilities[index].argmax()}).")
    position = int(confidence[sevens].argmin())
    known = {
        position: f"{position} is the position among the {DIGIT}s; give the index in x_test: sevens[{position}].",
        int(confidence.argmin()): "that is the least sure of all the test images; keep only the "
                                  f"images whose label is {DIGIT}.",
        int(sevens[probabilities[sevens, DIGIT].argmin()]): f"that is the {DIGIT} with the lowest probability "
            f"*for {DIGIT}*; the question asks for the lowest highest probability, whatever digit it is for.",
        int(sevens[confidence[sevens].argmax()]): "that is the one it is surest about: use argmin, not argmax.",
    }
    if index in known:
        return wrong(known[index])
    if not 0 <= index < len(y_test):
        return wrong(f"{index} is not an index of x_test (0 to {len(y_test) - 1}).")
    if y_test[index] != DIGIT:
        return wrong(f"x_test[{index}] is a {y_test[index]}, not a {DIGIT}.")
    return wrong(f"x_test[{index}] is a {DIGIT}, but the network is {confidence[index]:.0%} sure of it; "
                 f"another {DIGIT} gets a lower highest probability.")


# ---------------------------------------------------------------- q2: ink from a scan

def _scans() -> list[tuple[str, np.ndarray]]:
    """Clean scans to try a learner's function on (white paper 255, black ink 0): a test digit, and a 3x5 one."""
    _, (x_test, _) = mnist()
    small = np.array([[255, 255, 0, 255, 255], [255, 128, 0, 255, 255], [255, 255, 0, 64, 255]], dtype=np.uint8)
    return [("255 - x_test[0]", 255 - x_test[0]), ("a 3x5 scan", small)]


def _judge_ink_from_scan(answer: Any) -> Feedback:
    function = as_function(answer, "ink_from_scan")
    name = getattr(function, "__name__", "your function")
    for label, scan in _scans():
        given = scan.copy()
        result = call_learner(function, given)
        if not np.array_equal(given, scan):
            return wrong(f"{name} changed the scan it was given; compute a new array instead.")
        ink = as_array(result, f"what {name} returns")
        expected = (255 - scan.astype(np.float64)) / 255
        if ink.shape != scan.shape:
            return wrong(f"on {label} ({scan.shape}) {name} returns shape {ink.shape}; keep the image's shape.")
        if not np.issubdtype(ink.dtype, np.floating):
            if np.issubdtype(ink.dtype, np.integer) and np.array_equal(ink, 255 - scan.astype(np.int64)):
                return wrong("the ink is bright now, but the values go up to 255: divide by 255.")
            if np.issubdtype(ink.dtype, np.integer) and np.array_equal(ink, (1 - scan).astype(ink.dtype)):
                return wrong("1 - scan on uint8 pixels wraps around below 0 (1 - 255 gives 2): "
                             "divide by 255 first, or convert with .astype('float32').")
            return wrong(f"{name} returns {ink.dtype} values; the network takes floats in [0, 1]: "
                         "convert with .astype('float32') or divide by 255.")
        values = ink.astype(np.float64)
        if np.allclose(values, expected, atol=1e-6):
            continue
        mistakes = [
            (scan / 255, "that is the scan scaled to [0, 1], not inverted: the paper is 1 and the ink 0; "
                         "MNIST's ink is bright (1) on a dark (0) background."),
            (255.0 - scan, "the ink is bright now, but the values go up to 255: divide by 255."),
            (1 - scan / 256, "divide by 255 (the brightest pixel), not 256, so that black ink becomes exactly 1."),
            (-(scan / 255), "the values are negative: 1 - scan / 255 turns paper (1) into 0 and ink (0) into 1."),
        ]
        for value, message in mistakes:
            if np.allclose(values, value, atol=1e-6):
                return wrong(f"on {label}: {message}")
        return wrong(f"on {label} {name} does not give 1 - scan / 255: paper (255) must become 0, black ink (0) 1.")
    return right("paper 0, black ink 1, grey in between: the scan now looks like MNIST's digits.")


q1 = Question("nb09.q1", _judge_least_sure, answer_name="least_sure_seven", expects="an index into x_test",
             hint="np.flatnonzero(y_test == 7) gives the indices of the 7s; probabilities[those].max(axis=1) "
                  "is how sure the network is of each; argmin picks the least sure.",
             explanation="keep the 7s, take each one's highest probability, and pick the smallest.",
             solution_code="""
                 import numpy as np
                 sevens = np.flatnonzero(y_test == 7)
                 least_sure_seven = sevens[probabilities[sevens].max(axis=1).argmin()]
             """)

q2 = Question("nb09.q2", _judge_ink_from_scan, answer_name="ink_from_scan",
             expects="your function (its name, without parentheses)",
             hint="A scan has white paper (255) and black ink (0); MNIST has ink 1 on a background of 0. "
                  "Scale to [0, 1] with / 255, then turn it around with 1 - ...",
             explanation="scale the pixels to [0, 1], then subtract from 1 so that paper becomes 0 and ink 1.",
             solution_code="""
                 def ink_from_scan(scan):
                     return 1 - scan / 255
             """)
