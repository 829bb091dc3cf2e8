"""Exercises of notebook 01 (the data): ``nb01.q1`` and ``nb01.q2``."""
from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from helpers.exercises.core import Feedback, Question, Rejected, right, wrong, show, kind, as_number, known_mistake, mnist

def _judge_sevens(answer: Any) -> Feedback:
    value = as_number(answer)
    (x_train, y_train), (_, y_test) = mnist()
    train_counts, test_counts = np.bincount(y_train, minlength=10), np.bincount(y_test, minlength=10)
    if value == train_counts[7]:
        return right(f"{train_counts[7]:,} of the {len(y_train):,} training images are labelled 7.")
    known = [(test_counts[7], f"{test_counts[7]} is the number of sevens in the test set; count them in y_train."),
             (len(y_train), f"{len(y_train)} is the number of all training images; count only the labels equal to 7.")]
    known += [(count, f"{count} is how many training images are labelled {digit}, not 7.")
              for digit, count in enumerate(train_counts) if digit != 7]
    known += [(count, f"{count} is how many test images are labelled {digit}; count the 7s in y_train.")
              for digit, count in enumerate(test_counts) if digit != 7]
    return known_mistake(value, known) or wrong(f"{show(value)} is not the number of 7s in y_train; count the labels equal to 7.")


def _judge_test_shape(answer: Any) -> Feedback:
    if isinstance(answer, np.ndarray):
        raise Rejected(wrong("this is the array itself; its shape is x_test.shape."))
    if isinstance(answer, str):
        raise Rejected(wrong(f"{answer!r} is text; give the shape as a tuple of numbers, like x_test.shape."))
    if not isinstance(answer, (tuple, list)):
        if isinstance(answer, numbers.Number):
            raise Rejected(wrong(f"{answer} is a single number; a shape has one number per axis, like x_test.shape."))
        raise Rejected(wrong(f"this is {kind(answer)}; give a tuple of whole numbers, like x_test.shape."))
    if not all(isinstance(n, numbers.Integral) and not isinstance(n, (bool, np.bool_)) for n in answer):
        raise Rejected(wrong(f"{answer!r}: a shape holds whole numbers only, like x_test.shape."))
    shape = tuple(int(n) for n in answer)
    (x_train, y_train), (x_test, y_test) = mnist()
    if shape == x_test.shape:
        note = " (a list works here, though .shape gives a tuple)" if isinstance(answer, list) else ""
        return right(f"{shape}: {shape[0]} test images of {shape[1]} x {shape[2]} pixels{note}.")
    images, pixels = len(x_test), x_test.shape[1] * x_test.shape[2]
    return {
        x_train.shape: wrong(f"{x_train.shape} is the shape of x_train, the training set; the question asks for x_test."),
        (images, pixels): wrong(f"{(images, pixels)} is the shape after preprocessing (notebook 04); "
                                 "x_test as loaded keeps each image as 28 x 28."),
        x_test.shape[1:]: wrong(f"{x_test.shape[1:]} is the shape of one image; x_test holds all the test images."),
        y_test.shape: wrong(f"{y_test.shape} is the shape of y_test, the labels; the question asks for the images."),
        y_train.shape: wrong(f"{y_train.shape} is the shape of y_train; the question asks for x_test."),
        x_test.shape[::-1]: wrong("the axes are in the wrong order: the first axis counts the images."),
    }.get(shape, wrong(f"{shape} is not the shape of x_test; print x_test.shape to see it."))


q1 = Question("nb01.q1", _judge_sevens, answer_name="sevens_in_training", expects="the number of sevens",
             hint="y_train holds one label per training image; y_train == 7 is True where the label is 7, "
                  "and .sum() counts the Trues.",
             explanation="compare every training label with 7 and count the matches.",
             solution_code="sevens_in_training = int((y_train == 7).sum())")

q2 = Question("nb01.q2", _judge_test_shape, answer_name="test_shape", expects="the shape of x_test",
             hint="Every NumPy array has a .shape attribute: a tuple with one number per axis.",
             explanation="read the shape attribute of the test images.",
             solution_code="test_shape = x_test.shape")
