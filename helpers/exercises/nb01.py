"""Exercises of notebook 01 (the data): ``nb01.q1`` (share of background pixels) and ``nb01.q2`` (pick the 7s)."""
from __future__ import annotations

from typing import Any

import numpy as np

from helpers.exercises.core import Feedback, Question, as_array, as_number, mnist, right, rounds_to, show, wrong


def _judge_background_share(answer: Any) -> Feedback:
    value = as_number(answer)
    (x_train, _), (x_test, _) = mnist()
    share = float((x_train == 0).mean())
    if rounds_to(value, share, min_digits=2):
        return right(f"{share:.4f}: about {share:.0%} of the training pixels are pure background (0); "
                     "the digits' ink is the rest.")
    if rounds_to(value, 100 * share, min_digits=2):
        return wrong(f"{show(value)} is a percentage; give the share as a fraction between 0 and 1.")
    zeros = int((x_train == 0).sum())
    known = [
        (zeros, f"{zeros} counts the zero pixels; divide by the number of all pixels (x_train.size) for a share."),
        (1 - share, f"{show(value)} is the share of pixels with some ink (> 0); the question asks for the 0s."),
        (float((x_test == 0).mean()), f"{show(value)} is the share in x_test; the question asks for x_train."),
        (float((x_train == 255).mean()), f"{show(value)} is the share of pixels equal to 255 (full ink); "
                                         "count the background, 0."),
        (float(x_train.mean()), f"{show(value)} is the mean pixel value; count the pixels equal to 0 instead."),
    ]
    for wrong_value, message in known:  # also when rounded, like the right answer
        if rounds_to(value, wrong_value, min_digits=2):
            return wrong(message)
    if rounds_to(value, float((x_train[0] == 0).mean()), min_digits=2):
        return wrong(f"{show(value)} is the share in x_train[0], the first image only; the question asks for all "
                         "60,000 training images: x_train == 0 over the whole array.")
    if abs(value - share) < 0.05:
        return wrong(f"{show(value)} is close but not it: let NumPy compute it, and round correctly "
                     "(at least two significant digits).")
    return wrong(f"{show(value)} is not it: compare x_train with 0 and take the mean of the result "
                 "(True counts as 1).")


def _judge_sevens(answer: Any) -> Feedback:
    images = as_array(answer, "the images of 7s")
    (x_train, y_train), (x_test, y_test) = mnist()
    expected = x_train[y_train == 7]
    if images.shape == expected.shape and np.array_equal(images, expected):
        return right(f"{images.shape}: the {len(images)} training images labelled 7, each 28 x 28, "
                     "picked out by the mask y_train == 7.")
    if images.dtype == np.bool_ and images.shape == y_train.shape:
        return wrong("this is the mask itself (True where the label is 7); use it to index the images: "
                     "x_train[mask].")
    if images.ndim == 1 and np.array_equal(images, y_train[y_train == 7]):
        return wrong("these are the labels of the 7s (all 7); index x_train, the images, with the same mask.")
    if images.shape == x_test[y_test == 7].shape and np.array_equal(images, x_test[y_test == 7]):
        return wrong("these are the 7s of the test set; pick them from x_train with y_train.")
    if images.shape == x_train[y_train != 7].shape and np.array_equal(images, x_train[y_train != 7]):
        return wrong("these are all the images that are NOT 7s: the mask is y_train == 7.")
    if images.shape == (28, 28):
        return wrong("this is a single 28 x 28 image (x_train[7] is the image at position 7); "
                     "keep every image whose label is 7.")
    if images.shape == expected.shape and np.allclose(images, expected / 255):
        return right(f"{images.shape}: the {len(images)} training images labelled 7, picked out by the mask "
                     "y_train == 7 (and scaled to 0-1, which changes the pixels, not which images they are).")
    if images.shape == (len(expected), 784) and np.array_equal(images, expected.reshape(-1, 784)):
        return wrong("the right images, but flattened to 784 pixels; keep them 28 x 28 as loaded.")
    if images.shape[0] == len(expected) and images.shape[1:] == (28, 28):
        if np.array_equal(images, x_train[:len(expected)]):
            return wrong(f"these are the first {len(expected)} training images, whatever their label; "
                         "select by label with y_train == 7.")
        if np.array_equal(np.sort(images.reshape(len(images), -1), axis=0),
                          np.sort(expected.reshape(len(expected), -1), axis=0)):
            return wrong("the right images in another order; keep the order of x_train (no sorting or shuffling).")
        return wrong("the right number of images, but not the 7s of x_train: index x_train with y_train == 7.")
    return wrong(f"the shape is {images.shape}; the 7s of x_train form an array of shape {expected.shape} "
                 "(count, 28, 28).")


q1 = Question("nb01.q1", _judge_background_share, answer_name="background_share",
             expects="the share (a number between 0 and 1)",
             hint="x_train == 0 is an array of True/False, one per pixel; its .mean() is the share of Trues.",
             explanation="compare every pixel of every training image with 0; the mean of True (1) and False (0) "
                         "is the share of background pixels.",
             solution_code="background_share = (x_train == 0).mean()")

q2 = Question("nb01.q2", _judge_sevens, answer_name="sevens", expects="the array of 7s",
             hint="y_train == 7 gives one True/False per image, in the same order as x_train; "
                  "x_train[mask] keeps the images where the mask is True.",
             explanation="a boolean mask on the labels selects the matching images, because x_train[i] shows "
                         "the digit y_train[i].",
             solution_code="sevens = x_train[y_train == 7]")
