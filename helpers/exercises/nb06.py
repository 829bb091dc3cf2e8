"""Exercises of notebook 06 (evaluation): ``nb06.q1`` and ``nb06.q2``."""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from helpers.exercises.core import Feedback, Question, right, wrong, show, as_number, known_mistake

TEST_IMAGES, TEST_RIGHT = 10000, 9778
CONFUSION = np.array([[50, 2, 3], [4, 40, 6], [1, 5, 44]])  # rows: true class, columns: predicted class
RECALL_CLASS = 2


def _judge_error_rate(answer: Any) -> Feedback:
    value = as_number(answer)
    wrong_answers = TEST_IMAGES - TEST_RIGHT  # the number of wrong answers
    expected = 100 * wrong_answers / TEST_IMAGES
    if math.isclose(value, expected, abs_tol=0.005):
        return right(f"{wrong_answers} wrong_answers out of {TEST_IMAGES} is {expected:.2f}%.")
    known = [
        (100 * TEST_RIGHT / TEST_IMAGES, f"{100 * TEST_RIGHT / TEST_IMAGES:.2f}% is the accuracy; the error rate is "
                                         "the share of wrong_answers answers."),
        (TEST_RIGHT / TEST_IMAGES, f"{TEST_RIGHT / TEST_IMAGES} is the accuracy as a fraction; the error rate is "
                                   "the share of wrong_answers answers, in percent."),
        (wrong_answers / TEST_IMAGES, f"{wrong_answers / TEST_IMAGES} is a fraction; multiply by 100 for a percent."),
        (wrong_answers, f"{wrong_answers} is the number of wrong_answers answers (a count); divide by {TEST_IMAGES} and multiply by 100."),
        (TEST_RIGHT, f"{TEST_RIGHT} is the count of right answers; the error rate is about the wrong_answers ones, in percent."),
    ]
    return known_mistake(value, known, tolerance=0.005, rel_tolerance=1e-3) or wrong(
        f"{show(value)} is not it: the error rate is the share of wrong_answers answers, in percent.")


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
             explanation="222 of the 10,000 test images are wrong.",
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
