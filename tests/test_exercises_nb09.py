"""The exercises of notebook 09: the least sure 7 (needs the trained model) and ink from a clean scan."""
from __future__ import annotations

import numpy as np
import pytest

from helpers.exercises import nb09


@pytest.fixture(scope="module")
def probabilities(reference_model):
    """The reference model's test probabilities, as the notebook computes them."""
    _, (x_test, _) = nb09.mnist()
    return reference_model.predict(x_test.reshape(len(x_test), 784).astype("float32") / 255, verbose=0)


def status(question, answer) -> tuple[str, str]:
    feedback = question.evaluate(answer)
    assert str(feedback).count("\n") <= 1, str(feedback)
    return feedback.status, feedback.message


# ---- q1: the least sure 7

def test_least_sure_seven(probabilities, mnist_test):
    _, y_test = mnist_test
    sevens = np.flatnonzero(y_test == 7)
    confidence = probabilities.max(axis=1)
    expected = sevens[confidence[sevens].argmin()]
    assert status(nb09.q1, expected)[0] == "correct"
    assert status(nb09.q1, int(expected))[0] == "correct"
    assert status(nb09.q1, float(expected))[0] == "correct"

    position = int(confidence[sevens].argmin())
    cases = [
        (position, "position among the 7s"),
        (int(confidence.argmin()), "keep only the images whose label is 7"),
        (int(sevens[confidence[sevens].argmax()]), "argmin, not argmax"),
        (int(np.flatnonzero(y_test == 3)[0]), "not a 7"),
        (10000, "not an index of x_test"),
        (expected + 0.5, "not a whole number"),
        ("12", "quotes"),
    ]
    lowest_for_seven = int(sevens[probabilities[sevens, 7].argmin()])
    if lowest_for_seven != expected:
        cases.append((lowest_for_seven, "lowest probability *for 7*"))
    other_seven = next(int(i) for i in sevens if i not in {expected, lowest_for_seven, sevens[confidence[sevens].argmax()]}
                       and i != position)
    cases.append((other_seven, "another 7 gets a lower highest probability"))
    for answer, words in cases:
        result, message = status(nb09.q1, answer)
        assert result == "incorrect" and words in message, (answer, message)


def test_least_sure_seven_without_a_saved_model_says_what_to_run(monkeypatch, tmp_path):
    import helpers.model

    monkeypatch.setattr(helpers.model, "model_path", lambda: tmp_path / "mnist_dense.keras")
    nb09._test_probabilities.cache_clear()
    try:
        result, message = status(nb09.q1, 0)
    finally:
        nb09._test_probabilities.cache_clear()
    assert result == "incorrect" and "no trained model" in message and "run the notebook's first cells" in message


# ---- q2: ink from a clean scan

def in_place(scan):
    scan[:] = 255 - scan
    return scan / 255


def crashing(scan):
    return scan / undefined_name  # noqa: F821 (a learner's NameError)


@pytest.mark.parametrize("function", [
    lambda scan: 1 - scan / 255,
    lambda scan: (255 - scan) / 255,
    lambda scan: (255 - scan.astype("float32")) / 255,
    lambda scan: 1.0 - scan.astype("float64") / 255.0,
], ids=["1-scan/255", "(255-scan)/255", "float32", "float64"])
def test_ink_from_scan_right(function):
    assert status(nb09.q2, function)[0] == "correct"


@pytest.mark.parametrize("function, words", [
    (lambda scan: scan / 255, "not inverted"),
    (lambda scan: 255 - scan, "divide by 255"),
    (lambda scan: 255.0 - scan, "divide by 255"),
    (lambda scan: 1 - scan, "wraps around"),
    (lambda scan: 1 - scan / 256, "not 256"),
    (lambda scan: -(scan / 255), "negative"),
    (lambda scan: (1 - scan / 255).reshape(-1), "keep the image's shape"),
    (lambda scan: (1 - scan / 255) > 0.5, "bool values"),
    (lambda scan: 1 - scan / 128, "does not give 1 - scan / 255"),
    (in_place, "changed the scan"),
    (crashing, "raised NameError"),
    (lambda scan: "ink", "NumPy array"),
    ("ink_from_scan", "not a function"),
    (1 - np.zeros((28, 28)), "not a function"),
], ids=lambda value: value if isinstance(value, str) else getattr(value, "__name__", type(value).__name__))
def test_ink_from_scan_mistakes_are_named(function, words):
    result, message = status(nb09.q2, function)
    assert result == "incorrect" and words in message, message


def test_ink_from_scan_stub_is_not_answered_yet():
    def ink_from_scan(scan):
        return None  # replace with your code

    result, message = status(nb09.q2, ink_from_scan)
    assert result == "unanswered" and "replace `return None`" in message


def test_solution_code_of_q1_runs_in_the_notebooks_names(probabilities, mnist_test):
    _, y_test = mnist_test
    namespace = {"probabilities": probabilities, "y_test": y_test}
    exec(nb09.q1.solution_code, namespace)
    assert status(nb09.q1, namespace["least_sure_seven"])[0] == "correct"
