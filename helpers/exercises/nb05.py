"""Exercises of notebook 05 (training): ``nb05.q1`` (steps per epoch), ``nb05.q2`` (fit a small network and watch
it) and ``nb05.q3`` (predict how the log's training accuracy compares with the final weights')."""
from __future__ import annotations

import math
import numbers
from typing import Any

from helpers.data import VALIDATION_SIZE
from helpers.exercises.core import (Feedback, Question, as_number, kind, known_mistake, loss_name, mnist, one_hot,
                                    prepared, right, show, wrong, x_test_prepared)

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
    name, given = loss_name(getattr(answer.model, "loss", None))
    if "categorical_crossentropy" not in name:
        return wrong(f"the network was compiled with loss {given!r}; for one-hot labels of 10 classes use "
                     "loss=\"categorical_crossentropy\" (notebook 03).")
    if "accuracy" not in logs:
        return wrong("the History has no accuracy: compile with metrics=[\"accuracy\"], as above.")
    optimizer = getattr(answer.model, "optimizer", None)
    if type(optimizer).__name__ != "RMSprop":
        return wrong(f"the network was compiled with {type(optimizer).__name__}; the recipe is "
                     "optimizer=\"rmsprop\", as above.")
    if not math.isclose(float(optimizer.learning_rate), 0.001, rel_tol=1e-3):
        return wrong(f"RMSprop's learning rate is {float(optimizer.learning_rate):g}; keep its default, 0.001: "
                     "optimizer=\"rmsprop\".")
    first, last = logs["accuracy"][0], logs["accuracy"][-1]
    if first > 0.95:
        return wrong(f"the first epoch already reached {first:.0%} accuracy: that network had been trained "
                     "before. fit continues from the current weights; build a fresh network first.")
    if "val_accuracy" not in logs:
        return wrong("the History has no val_accuracy: watch the validation set with "
                     "validation_data=(x_val, y_val).")
    (x_train, y_train), _ = mnist()  # only the slices measured are prepared: no 188 MB copy kept in the kernel
    measured = {name: _loss_and_accuracy(answer.model, prepared(x_train[part]), one_hot(y_train[part]))
                for name, part in SLICES.items()}
    val_loss, val_accuracy = measured["x_val"]
    # The loss, not the accuracy, tells the sets apart: two accuracies of about 92% may agree by chance.
    if "val_loss" not in logs or not _same_loss(logs["val_loss"][-1], val_loss):
        test_loss, _ = _loss_and_accuracy(answer.model, *_prepared_test_images())
        if "val_loss" in logs and _same_loss(logs["val_loss"][-1], test_loss):
            return wrong("the validation numbers were measured on the test set: pass validation_data=(x_val, y_val), "
                         "the last 10,000 training images. The test set never helps to watch or choose.")
        return wrong(f"the logged val_accuracy ({logs['val_accuracy'][-1]:.2%}) is not the network's accuracy on "
                     f"x_val ({val_accuracy:.2%}): pass validation_data=(x_val, y_val).")
    if val_accuracy < LEARNED_BAR:
        return wrong(f"the network reads only {val_accuracy:.0%} of the validation digits (at least "
                     f"{LEARNED_BAR:.0%} is expected after 2 epochs): it learned little. Check that the images "
                     "and labels are x_train[:6000] and y_train[:6000], in that order and pre-processed.")
    first_part, next_part = measured["x_train[:6000]"][0], measured["x_train[6000:12000]"][0]
    if not first_part < KNOWS_BETTER * next_part:
        if next_part < first_part:
            return wrong("the network knows x_train[6000:12000] better than the first 6,000 images: it trained on "
                         "another slice. Take x_train[:6000], y_train[:6000].")
        return wrong("the network does not know the first 6,000 training images better than others: train on "
                     "x_train[:6000], y_train[:6000].")
    return right(f"{SMALL_EPOCHS} epochs of {expected_steps} steps (6,000 / 64 = 93.75, rounded up): "
                 f"{SMALL_EPOCHS * expected_steps} weight updates. Validation accuracy {val_accuracy:.1%} on the "
                 f"10,000 held-out images; training accuracy (the log's average) {first:.1%} after the first "
                 f"epoch, {last:.1%} after the second.")


# Slices of the training images the check measures the learner's network on.
SLICES = {"x_train[:6000]": slice(0, 6000), "x_train[6000:12000]": slice(6000, 12000), "x_val": slice(TRAIN_IMAGES - VALIDATION_SIZE, TRAIN_IMAGES)}
LEARNED_BAR = 0.85  # validation accuracy after 2 epochs on 6,000 images: about 0.91-0.93 with seeds 0-2
KNOWS_BETTER = 0.85  # loss on the images trained on / on others: about 0.6 for the asked fit (seeds 0-2)


def _prepared_test_images():
    _, (_, y_test) = mnist()
    return x_test_prepared(), one_hot(y_test)


def _same_loss(logged: float, measured: float) -> bool:
    return math.isclose(logged, measured, rel_tol=5e-3, abs_tol=1e-4)


def _loss_and_accuracy(model: Any, x: Any, y: Any) -> tuple[float, float]:
    """Loss and accuracy of the learner's model, measured without touching its compiled metrics."""
    import numpy as np

    probabilities = np.asarray(model.predict(x, batch_size=1000, verbose=0), dtype=np.float64)
    loss = float(-np.mean(np.log(np.clip((probabilities * y).sum(axis=1), 1e-7, 1.0))))
    return loss, float(np.mean(probabilities.argmax(axis=1) == y.argmax(axis=1)))


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
             hint="Build and compile a fresh network under a new name, e.g. small_model (seed first); then "
                  "small_history = small_model.fit(x_train[:6000], y_train[:6000], epochs=..., batch_size=..., "
                  "validation_data=...).",
             explanation="a fresh network, 2 epochs over the first 6,000 images in batches of 64 (94 steps each), "
                         "watched on the validation set.",
             solution_code="""
                 keras.utils.set_random_seed(0)
                 small_model = keras.Sequential([
                     keras.Input(shape=(784,)),
                     layers.Dense(512, activation="relu"),
                     layers.Dense(10, activation="softmax"),
                 ])
                 small_model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
                 small_history = small_model.fit(x_train[:6000], y_train[:6000], epochs=2, batch_size=64,
                                                 validation_data=(x_val, y_val))
             """)


CHOICES = ("higher", "lower", "the same")


def _judge_final_weights(answer: Any) -> Feedback:
    if not isinstance(answer, str):
        return wrong(f"this is {kind(answer)}; answer with one of the words {', '.join(map(repr, CHOICES))}, in quotes.")
    said = " ".join(answer.lower().replace("'", "").replace('"', "").split())
    if said in ("higher", "high", "above", "more", "greater"):
        return right("the log's accuracy is an average over the epoch's 391 batches, each measured with the weights "
                     "of that moment; the final weights have learned from the whole epoch, so they do better. "
                     "Check it: watched_model.evaluate(x_part, y_part, verbose=0).")
    if said in ("lower", "low", "below", "less", "smaller"):
        return wrong("the final weights have seen the whole epoch; the log's number averages over the epoch, "
                     "partly with weights from before the last updates. Which of the two should be better?")
    if said in ("the same", "same", "equal", "equal to it"):
        return wrong("the log does not measure the final weights: it averages over the epoch's batches while the "
                     "weights kept changing. Would the final weights do better or worse than that average?")
    return wrong(f"{answer!r} is not one of the answers; write 'higher', 'lower' or 'the same'.")


q3 = Question("nb05.q3", _judge_final_weights, answer_name="final_weights_accuracy",
             expects="'higher', 'lower' or 'the same' (in quotes)",
             hint="Read again how the log's training accuracy is measured (section 'Watching training'): during the "
                  "epoch, or after it? Which weights does it use?",
             explanation="the log averages over an epoch of improving weights; evaluate uses only the final ones.",
             solution_code="""
                 final_weights_accuracy = "higher"
                 # to see it: watched_model.evaluate(x_part, y_part, verbose=0)
             """)
