"""Exercises of notebook 05 (training): ``nb05.q1`` (steps per epoch) and ``nb05.q2`` (fit a small network)."""
from __future__ import annotations

import math
import numbers
from typing import Any

from helpers.exercises.core import Feedback, Question, right, wrong, show, kind, as_number, known_mistake

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


SMALL_IMAGES, SMALL_BATCH, SMALL_EPOCHS = 6000, 64, 2


def _judge_small_fit(answer: Any) -> Feedback:
    import keras  # only this check needs Keras; importing helpers.exercises stays light

    if isinstance(answer, keras.Model):
        return wrong("this is the model; pass what fit returns: small_history = your_model.fit(...).")
    if isinstance(answer, dict) and "loss" in answer:
        return wrong("this is history.history, the dict of numbers; pass the History itself, what fit returned.")
    if isinstance(answer, (list, tuple)) or isinstance(answer, numbers.Real):
        return wrong(f"this is {kind(answer)}, what model.evaluate returns; pass what model.fit returns.")
    if not isinstance(answer, keras.callbacks.History):
        return wrong(f"this is {kind(answer)}; pass what model.fit(...) returns (a History).")
    params, logs, epoch = answer.params or {}, getattr(answer, "history", {}), getattr(answer, "epoch", [])
    if not logs or not epoch:
        return wrong("this History is empty: run fit to the end (no epoch was recorded).")
    epochs, steps = params.get("epochs"), params.get("steps")
    if epochs != SMALL_EPOCHS or len(epoch) != SMALL_EPOCHS:
        return wrong(f"this fit ran {len(epoch)} epoch(s); the exercise asks for {SMALL_EPOCHS}: epochs=2.")
    expected_steps = math.ceil(SMALL_IMAGES / SMALL_BATCH)
    if steps != expected_steps:
        known = {
            math.ceil(TRAIN_IMAGES / SMALL_BATCH): "you trained on all 60,000 images; take the first 6,000: "
                                                   "x_train[:6000], y_train[:6000].",
            math.ceil(TRAIN_IMAGES / 128): "469 steps: all 60,000 images in batches of 128; take the first 6,000 "
                                           "in batches of 64.",
            math.ceil(TRAIN_IMAGES / 32): "1875 steps: all 60,000 images in batches of 32 (Keras's default); take "
                                          "the first 6,000 and set batch_size=64.",
            math.ceil(SMALL_IMAGES / 32): "188 steps: 6,000 images in batches of 32, Keras's default; set "
                                          "batch_size=64.",
            math.ceil(SMALL_IMAGES / 128): "47 steps: 6,000 images in batches of 128; this exercise uses "
                                           "batch_size=64.",
        }
        if steps is None:
            return wrong("Keras could not count the steps of this fit: pass the arrays x_train[:6000] and "
                         "y_train[:6000] to fit, with batch_size=64.")
        return wrong(known.get(steps, f"each epoch took {steps} steps; 6,000 images in batches of 64 make "
                                      f"{expected_steps} (a step per batch)."))
    loss = getattr(answer.model, "loss", None)
    loss_name = getattr(loss, "name", None) or getattr(loss, "__name__", None) or str(loss)
    if "categorical_crossentropy" not in loss_name.replace("CategoricalCrossentropy", "categorical_crossentropy"):
        return wrong(f"the network was compiled with loss {loss_name!r}; for one-hot labels of 10 classes use "
                     "loss=\"categorical_crossentropy\" (notebook 03).")
    if "accuracy" not in logs:
        return wrong("the History has no accuracy: compile with metrics=[\"accuracy\"], as above.")
    first, last = logs["accuracy"][0], logs["accuracy"][-1]
    if first > 0.95:
        return wrong(f"the first epoch already reached {first:.0%} accuracy: that network had been trained "
                     "before. fit continues from the current weights; build a fresh network first.")
    return right(f"{SMALL_EPOCHS} epochs of {expected_steps} steps (6,000 / 64 = 93.75, rounded up): "
                 f"{SMALL_EPOCHS * expected_steps} weight updates; training accuracy {first:.1%} after the first "
                 f"epoch, {last:.1%} after the second.")


q1 = Question("nb05.q1", _judge_steps_per_epoch, answer_name="steps_per_epoch", expects="the number of steps",
             hint="Each step takes one batch of 64 images. How many batches cover 60,000 images? "
                  "A last, smaller batch still counts.",
             explanation="divide the images by the batch size and round up.",
             solution_code="""
                 import math
                 steps_per_epoch = math.ceil(60000 / 64)
             """)

q2 = Question("nb05.q2", _judge_small_fit, answer_name="small_history",
             expects="what your fit call returns (a History)",
             hint="Copy the network cell (seed, Sequential, compile) under a new name, e.g. small_model; then "
                  "small_history = small_model.fit(x_train[:6000], y_train[:6000], epochs=..., batch_size=...).",
             explanation="a fresh network, 2 epochs over the first 6,000 images in batches of 64 (94 steps each).",
             solution_code="""
                 keras.utils.set_random_seed(0)
                 small_model = keras.Sequential([
                     keras.Input(shape=(784,)),
                     layers.Dense(512, activation="relu"),
                     layers.Dense(10, activation="softmax"),
                 ])
                 small_model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
                 small_history = small_model.fit(x_train[:6000], y_train[:6000], epochs=2, batch_size=64)
             """)


def notebook_variables() -> dict[str, Any]:
    """What the notebook has defined when the learner reaches its exercises (the tests run solutions with it)."""
    import keras

    from helpers.exercises.core import mnist
    from helpers.model import preprocess

    (x_train, y_train), (x_test, y_test) = mnist()
    x_train, y_train = preprocess(x_train, y_train)
    x_test, y_test = preprocess(x_test, y_test)
    return {"keras": keras, "layers": keras.layers, "x_train": x_train, "y_train": y_train,
            "x_test": x_test, "y_test": y_test}
