"""Exercises of notebook 06 (evaluation): ``nb06.q1`` error rate, ``nb06.q2`` recall, ``nb06.q3`` save and load."""
from __future__ import annotations

import functools
import math
from pathlib import Path
from typing import Any

import numpy as np

from helpers.exercises.core import (Feedback, Question, right, wrong, show, kind, as_number, known_mistake, learner_namespace,
                                    mnist, x_test_prepared)

TEST_IMAGES, TEST_RIGHT = 10000, 9778
CONFUSION = np.array([[50, 2, 3], [4, 40, 6], [1, 5, 44]])  # rows: true class, columns: predicted class
RECALL_CLASS = 2


def _roundings(value: float, most_decimals: int = 6) -> list[float]:
    """``value`` correctly rounded to 1, 2, ... decimals: 2.22 gives 2.2, 2.22, 2.22, ..."""
    return [round(value, decimals) for decimals in range(1, most_decimals + 1)]


def _judge_error_rate(answer: Any) -> Feedback:
    value = as_number(answer)
    wrong_answers = TEST_IMAGES - TEST_RIGHT
    expected = 100 * wrong_answers / TEST_IMAGES
    if any(math.isclose(value, rounded, rel_tol=1e-6) for rounded in _roundings(expected)):  # float32 too
        return right(f"{wrong_answers} wrong answers out of {TEST_IMAGES} is {show(round(expected, 6))}%.")
    known = [
        (100 * TEST_RIGHT / TEST_IMAGES, f"{100 * TEST_RIGHT / TEST_IMAGES:.2f}% is the accuracy; the error rate is "
                                         "the share of wrong answers."),
        (TEST_RIGHT / TEST_IMAGES, f"{TEST_RIGHT / TEST_IMAGES} is the accuracy as a fraction; the error rate is "
                                   "the share of wrong answers, in percent."),
        (wrong_answers / TEST_IMAGES, f"{wrong_answers / TEST_IMAGES} is a fraction; multiply by 100 for a percent."),
        (wrong_answers, f"{wrong_answers} is the number of wrong answers (a count); divide by {TEST_IMAGES} and "
                        "multiply by 100."),
        (TEST_RIGHT, f"{TEST_RIGHT} is the count of right answers; the error rate is about the wrong ones, in "
                     "percent."),
    ]
    found = known_mistake(value, known, tolerance=0.005, rel_tolerance=1e-3)
    if found:
        return found
    if value == round(expected):
        return wrong(f"{show(value)} is rounded to a whole percent, which hides the answer; keep at least one "
                     "decimal.")
    if abs(value - expected) < 0.05:
        return wrong(f"{show(value)} is close but not {show(round(expected, 6))} rounded: compute "
                     f"{wrong_answers} / {TEST_IMAGES} * 100 exactly, then round if you like.")
    return wrong(f"{show(value)} is not it: the error rate is the share of wrong answers, in percent.")


def _judge_recall(answer: Any) -> Feedback:
    value = as_number(answer)
    k = RECALL_CLASS
    row_total, col_total = int(CONFUSION[k].sum()), int(CONFUSION[:, k].sum())
    hits = int(CONFUSION[k, k])
    expected = hits / row_total
    if math.isclose(value, expected, abs_tol=1e-3):
        return right(f"{hits} of the {row_total} images of class {k} (row {k}) were found: recall {expected:.2f}.")
    known = [
        (hits / col_total, f"{hits}/{col_total} is the precision: you used column {k} (predicted); recall uses "
                           f"row {k} (true class)."),
        (np.trace(CONFUSION) / CONFUSION.sum(), "that is the accuracy of the whole matrix; recall is about one "
                                                f"class: row {k}."),
        (hits, f"{hits} is a count; recall is a ratio: divide by the images truly in class {k}."),
        (100 * expected, "give it as a fraction between 0 and 1, not a percent."),
    ]
    known += [(CONFUSION[j, j] / CONFUSION[j].sum(), f"that is the recall of class {j}: classes count from 0, so "
                                                     f"class {k} is row {k}.") for j in range(len(CONFUSION)) if j != k]
    known += [(CONFUSION[j, j] / CONFUSION[:, j].sum(), f"that is the precision of class {j}; recall of class {k} "
                                                        f"uses row {k}.") for j in range(len(CONFUSION)) if j != k]
    return known_mistake(value, known, tolerance=1e-3) or wrong(
        f"{show(value)} is not it: recall = correct predictions of class {k} / all images truly of class {k}.")


q1 = Question("nb06.q1", _judge_error_rate, answer_name="error_rate_percent", expects="the error rate in percent",
             hint="Error rate = wrong answers / all answers; times 100 for a percent.",
             explanation="222 of the 10,000 test images are wrong: 2.22%, exactly (2.2 rounded is fine too).",
             solution_code="error_rate_percent = (10000 - 9778) / 10000 * 100")

q2 = Question("nb06.q2", _judge_recall, answer_name="recall_class_2", expects="the recall (a number)",
             hint="Recall of a class = images of that class predicted right / all images truly of that class: "
                  "one row of the matrix (rows are true classes; classes count from 0).",
             explanation="row 2 holds the 50 images truly of class 2; 44 of them were predicted as 2.",
             solution_code="""
                 import numpy as np
                 example_confusion = np.array([[50, 2, 3], [4, 40, 6], [1, 5, 44]])
                 recall_class_2 = example_confusion[2, 2] / example_confusion[2].sum()
             """)


def my_copy_path() -> Path:
    """Where exercise 3 asks the learner to save the model."""
    from helpers import outputs_dir

    return outputs_dir() / "my_copy.keras"


@functools.lru_cache(maxsize=4)
def _saved_weights(path: str, modified: float) -> list:
    """The weights stored in a .keras file (read again when the file changes)."""
    import keras

    return keras.models.load_model(path, compile=False).get_weights()


def _judge_reloaded(answer: Any) -> Feedback:
    import keras  # only this check needs Keras; importing helpers.exercises stays light
    import numpy as np

    if isinstance(answer, (str, Path)):
        return wrong("this is a path; load the model from it, reloaded = keras.models.load_model(my_copy_path), "
                     "and pass reloaded.")
    if callable(answer) and not isinstance(answer, keras.Model):
        return wrong("this is a function, not a model: call it, with its (), and pass what it returns.")
    if not isinstance(answer, keras.Model):
        return wrong(f"this is {kind(answer)}; pass the model that keras.models.load_model(my_copy_path) returns.")
    if learner_namespace().get("model") is answer:
        return wrong("this is model itself, not a copy read from the file: reloaded = model only gives the same "
                     "network a second name. Load it: reloaded = keras.models.load_model(my_copy_path).")
    path = my_copy_path()
    if not path.exists():
        return wrong(f"there is no file {path.name} in outputs/ yet: save first, model.save(my_copy_path), then "
                     "load it back.")
    try:
        (_, _), (_, labels) = mnist()
        predicted = np.asarray(answer.predict(x_test_prepared()[:1000], verbose=0)).argmax(axis=1)
    except Exception as err:  # a model that does not take the 784 pixels of a prepared test image
        detail = (str(err).splitlines() or [""])[0][:120]
        return wrong(f"this model cannot read the prepared test images (784 numbers each): {detail}")
    accuracy = float((predicted == labels[:1000]).mean())
    if accuracy < 0.5:
        return wrong(f"this network is not trained: it reads {accuracy:.0%} of 1,000 test digits (chance is 10%). "
                     "Save the trained model and load that file.")
    saved = _saved_weights(str(path), path.stat().st_mtime)
    weights = answer.get_weights()
    if len(saved) != len(weights) or not all(a.shape == b.shape and np.array_equal(a, b)
                                             for a, b in zip(saved, weights)):
        return wrong(f"this trained network is not the one in {path.name}: load the file you saved, "
                     "keras.models.load_model(my_copy_path).")
    optimizer = getattr(answer, "optimizer", None)
    updates = int(keras.ops.convert_to_numpy(optimizer.iterations)) if optimizer is not None else 0
    state = (f" and its optimizer state ({updates:,} updates so far), so it could even train on"
             if updates else " (loaded without its optimizer: fine for predictions)")
    return right(f"the weights in {path.name} came back{state}; it reads {accuracy:.1%} of 1,000 test digits.")


q3 = Question("nb06.q3", _judge_reloaded, answer_name="reloaded",
             expects="the model that keras.models.load_model returns (model.save itself returns None)",
             hint="Two lines: model.save(my_copy_path), then reloaded = keras.models.load_model(my_copy_path).",
             explanation="model.save writes architecture, weights and optimizer state to one .keras file; "
                         "keras.models.load_model reads all three back.",
             solution_code="""
                 model.save(my_copy_path)
                 reloaded = keras.models.load_model(my_copy_path)
             """)
