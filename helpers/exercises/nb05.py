"""Exercises of notebook 05 (training steps): ``nb05.q1`` and ``nb05.q2``."""
from __future__ import annotations

import math
from typing import Any

from helpers.exercises.core import Feedback, Question, right, wrong, show, as_number, known_mistake

TRAIN_IMAGES = 60000


def _judge_steps_per_epoch(answer: Any) -> Feedback:
    value = as_number(answer)
    batch = 64
    expected = math.ceil(TRAIN_IMAGES / batch)
    if value == expected:
        return right(f"{TRAIN_IMAGES} / {batch} = {TRAIN_IMAGES / batch}, rounded up: the last, smaller batch "
                      "is a step too.")
    known = [
        (TRAIN_IMAGES // batch, f"you rounded down: the {TRAIN_IMAGES % batch} images left over make one more, "
                                "smaller batch, so round up."),
        (TRAIN_IMAGES / batch, f"{TRAIN_IMAGES / batch} is not a whole number of steps: the last, smaller batch "
                               "counts as a step too."),
        (math.ceil(TRAIN_IMAGES / 128), f"{math.ceil(TRAIN_IMAGES / 128)} is the number for batch_size=128; "
                                        f"this question uses {batch}."),
        (TRAIN_IMAGES, f"{TRAIN_IMAGES} is the number of images; a step processes one batch of {batch} images."),
        (batch, f"{batch} is the batch size; the question asks how many batches make one epoch."),
    ]
    found = known_mistake(value, known)
    if found:
        return found
    if not value.is_integer():
        return wrong(f"{show(value)} is not a whole number: Keras takes whole steps, one batch each.")
    return wrong(f"{show(value)} is not it: how many batches of {batch} cover {TRAIN_IMAGES} images?")


def _judge_weight_updates(answer: Any) -> Feedback:
    value = as_number(answer)
    batch, epochs = 128, 5
    steps = math.ceil(TRAIN_IMAGES / batch)
    expected = steps * epochs
    if value == expected:
        return right(f"{steps} steps per epoch x {epochs} epochs = {expected} updates, one per batch.")
    known = [
        (steps, f"{steps} is one epoch; fit runs {epochs} epochs."),
        (TRAIN_IMAGES * epochs, f"{TRAIN_IMAGES * epochs} counts images x epochs; the weights change once per "
                                "batch, not per image."),
        ((TRAIN_IMAGES // batch) * epochs, f"that uses {TRAIN_IMAGES // batch} steps per epoch: rounded down; the "
                                           "last, smaller batch is a step too."),
        (TRAIN_IMAGES * epochs / batch, f"{TRAIN_IMAGES * epochs / batch} is not a whole number of updates: "
                                        "round the steps per epoch up, then multiply."),
        (math.ceil(TRAIN_IMAGES / 64) * epochs, "that is the count for batch_size=64; this fit uses 128."),
        (epochs, f"{epochs} is the number of epochs; each epoch makes many updates, one per batch."),
        (TRAIN_IMAGES, f"{TRAIN_IMAGES} is the number of training images; count batches, over all epochs."),
    ]
    found = known_mistake(value, known)
    if found:
        return found
    if not value.is_integer():
        return wrong(f"{show(value)} is not a whole number: the weights change once per (whole) batch.")
    return wrong(f"{show(value)} is not it: one update per batch, for every epoch.")


q1 = Question("nb05.q1", _judge_steps_per_epoch, answer_name="steps_per_epoch", expects="the number of steps",
             hint="Each step takes one batch of 64 images. How many batches cover 60,000 images? "
                  "A last, smaller batch still counts.",
             explanation="divide the images by the batch size and round up.",
             solution_code="""
                 import math
                 steps_per_epoch = math.ceil(60000 / 64)
             """)

q2 = Question("nb05.q2", _judge_weight_updates, answer_name="weight_updates", expects="the number of updates",
             hint="The weights change once per batch: batches per epoch (with batch_size=128) times the "
                  "number of epochs.",
             explanation="steps per epoch (60000 / 128, rounded up) times 5 epochs.",
             solution_code="""
                 import math
                 weight_updates = math.ceil(60000 / 128) * 5
             """)
