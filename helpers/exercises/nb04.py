"""Exercises of notebook 04 (preprocessing): ``nb04.q1`` and ``nb04.q2``."""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from helpers.exercises.core import Feedback, Question, right, wrong, as_array, mnist, x_test_prepared

def _judge_x_test_prepared(answer: Any) -> Feedback:
    x = as_array(answer, "the prepared x_test")
    (x_train, _), (x_test, _) = mnist()
    images, pixels = len(x_test), x_test.shape[1] * x_test.shape[2]
    if x.shape != (images, pixels):
        if x.ndim >= 1 and x.shape[0] == len(x_train):
            return wrong(f"this has {len(x_train)} rows: it is the training set; prepare x_test ({images} images).")
        if x.shape == x_test.shape:
            return wrong(f"the shape is still {x_test.shape}: you forgot to reshape; "
                          f"flatten each image with .reshape({images}, {pixels}).")
        if x.shape == (pixels, images):
            return wrong(f"the shape {x.shape} is transposed: one row per image, .reshape({images}, {pixels}).")
        return wrong(f"the shape is {x.shape}; expected {(images, pixels)}, one row of {pixels} pixels per image.")
    if not np.issubdtype(x.dtype, np.floating):
        if np.issubdtype(x.dtype, np.integer) and x.max() <= 1:
            return wrong(f"the values are {x.dtype} 0s and 1s: converting to integers after dividing cut off the "
                          "fractions; use .astype('float32') / 255.")
        if np.issubdtype(x.dtype, np.integer):
            return wrong(f"the values are still {x.dtype} (whole numbers): convert with .astype('float32'), "
                          "then divide by 255.")
        return wrong(f"the values are {x.dtype}; the network needs .astype('float32') values, divided by 255.")
    top, bottom = float(x.max()), float(x.min())
    if top > 1:
        if math.isclose(top, 255):
            return wrong("the values go up to 255: you forgot to scale; divide by 255 to bring them into [0, 1].")
        return wrong(f"the values go up to {top:g}; they should lie in [0, 1]: divide by 255.")
    if bottom < 0:
        return wrong(f"some values are negative ({bottom:g}); only divide by 255, so they lie in [0, 1].")
    expected = x_test_prepared()
    if x.dtype.itemsize < 4 and np.allclose(x, expected, rtol=0, atol=1e-3):
        return wrong(f"{x.dtype} is too coarse for the network's arithmetic: use .astype('float32'), "
                      "what Keras computes in.")
    if not np.allclose(x, expected, rtol=0, atol=1e-6):
        if np.allclose(x, expected * (255 / 256), rtol=0, atol=1e-6):
            return wrong("you scaled by 256; the brightest pixel is 255, so divide by 255 to map it to exactly 1.")
        return wrong("the values differ from x_test / 255: start from x_test, reshape, convert and divide by 255 "
                      "(keep the rows in order).")
    if x.dtype == np.float64:
        return wrong("the values are right, but the dtype is float64: add .astype('float32'); "
                      "float32 halves the memory and is what Keras computes in.")
    if x.dtype != np.float32:
        return wrong(f"the values are right, but the dtype is {x.dtype}: use .astype('float32'), what Keras computes in.")
    return right(f"{x.shape} float32 values in [0, 1]: ready for the network.")


def _judge_y_test_onehot(answer: Any) -> Feedback:
    y = as_array(answer, "the one-hot y_test")
    (_, y_train), (_, y_test) = mnist()
    classes = 10
    if y.shape == y_test.shape:
        return wrong(f"the shape is {y.shape}: still integer labels; one-hot encode them with "
                      f"keras.utils.to_categorical(y_test, {classes}).")
    if y.ndim >= 1 and y.shape[0] == len(y_train):
        return wrong(f"this has {len(y_train)} rows: these are the training labels; encode y_test.")
    if y.ndim != 2 or y.shape[0] != len(y_test):
        return wrong(f"the shape is {y.shape}; expected {(len(y_test), classes)}, one row per test image.")
    if y.shape[1] != classes:
        return wrong(f"there are {y.shape[1]} columns: MNIST has {classes} classes (digits 0 to 9), "
                      f"so each row needs {classes} entries.")
    if not (np.issubdtype(y.dtype, np.number) or y.dtype == np.bool_):
        return wrong(f"the array holds {y.dtype} values; one-hot rows hold numbers 0 and 1.")
    if not (np.isin(y, (0, 1)).all() and (y.sum(axis=1) == 1).all()):
        return wrong("each row should hold a single 1, at the label's position, and nine 0s.")
    labels = y.argmax(axis=1)
    if (labels == y_test).all():
        return right(f"{y.shape}, a single 1 in each row at the digit's position.")
    if (labels == y_train[:len(y_test)]).all():
        return wrong(f"these rows match the first {len(y_test)} training labels; encode y_test.")
    mismatched = int((labels != y_test).sum())
    return wrong(f"{mismatched} rows do not match y_test's labels: encode y_test itself, in its original order "
                  "(no shuffling).")


q1 = Question("nb04.q1", _judge_x_test_prepared, answer_name="x_test_prepared", expects="the prepared array",
             hint="Do to x_test what we did to x_train: reshape it to (10000, 784), convert it to float32, "
                  "divide by 255.",
             explanation="flatten each image to 784 pixels, convert to float32 and scale into [0, 1].",
             solution_code='x_test_prepared = x_test.reshape(10000, 784).astype("float32") / 255')

q2 = Question("nb04.q2", _judge_y_test_onehot, answer_name="y_test_onehot", expects="the one-hot array",
             hint="keras.utils.to_categorical(labels, num_classes) turns integer labels into one-hot rows.",
             explanation="one row per test label, with a 1 in the label's column.",
             solution_code="y_test_onehot = keras.utils.to_categorical(y_test, 10)")
