"""Exercises of notebook 10 (experiments): ``nb10.q1`` (predict EarlyStopping) and ``nb10.q2`` (write a variant in Keras)."""
from __future__ import annotations

import json
import math
from typing import Any

from helpers import RESULTS_PATH, shown_path
from helpers.exercises.core import (CheckerDataMissing, Feedback, Question, activation_name, as_model, as_number,
                                    input_shape, known_mistake, layers_of, loss_name, right, show, wrong)

# q2: the variant the learner writes
UNITS, RATE, LEARNING_RATE = 128, 0.2, 0.0005
# q1: EarlyStopping's patience, watching the cached history of the experiment "epochs_20"
PATIENCE, WATCHED = 3, "epochs_20"


def _judge_variant(answer: Any) -> Feedback:
    import keras  # lazily: importing the checkers stays free of TensorFlow

    answer = as_model(answer, "your compiled model")
    layers = answer.layers
    dense, dropouts = layers_of(answer, "Dense"), layers_of(answer, "Dropout")
    if len(dense) != 2:
        return wrong(f"the model has {len(dense)} Dense layers; keep the reference's two: hidden and output.")
    hidden, output = dense
    if hidden.units != UNITS:
        return wrong(f"the hidden layer has {hidden.units} units"
                     + (", as in the reference" if hidden.units == 512 else "") + f"; the variant has {UNITS}.")
    if activation_name(hidden) != "relu" or output.units != 10 or activation_name(output) != "softmax":
        return wrong("keep the reference's layers otherwise: Dense(128, activation=\"relu\"), then "
                     "Dense(10, activation=\"softmax\").")
    if input_shape(answer) != (None, 784):
        return wrong("the model does not know its input: start the list with keras.Input(shape=(784,)).")
    if not dropouts:
        return wrong(f"there is no Dropout layer: add keras.layers.Dropout({RATE}) after the hidden layer.")
    if len(dropouts) > 1:
        return wrong(f"there are {len(dropouts)} Dropout layers; the variant has one, after the hidden layer.")
    position = layers.index(dropouts[0])
    if position < layers.index(hidden):
        return wrong("the Dropout layer comes before the hidden layer, so it drops input pixels; put it between "
                     "the hidden and the output layer.")
    if position > layers.index(output):
        return wrong("the Dropout layer comes after the output layer, so it zeroes some of the ten probabilities; "
                     "put it between the hidden and the output layer.")
    rate = float(dropouts[0].rate)
    if not math.isclose(rate, RATE):
        advice = " (rate is the fraction dropped, not kept)" if math.isclose(rate, 1 - RATE) else ""
        return wrong(f"the Dropout rate is {show(rate)}{advice}; the variant drops {RATE}.")
    if not getattr(answer, "compiled", False):
        return wrong("the model is not compiled yet: call model.compile(optimizer=..., loss=..., metrics=...).")
    optimizer = answer.optimizer
    if type(optimizer) is not keras.optimizers.Adam:  # AdamW and other subclasses are other optimizers
        return wrong(f"the optimizer is {type(optimizer).__name__}; the variant uses Adam.")
    learning_rate = float(optimizer.learning_rate)
    if not math.isclose(learning_rate, LEARNING_RATE, rel_tol=1e-5):
        advice = (": the string \"adam\" (or Adam()) keeps the default. Pass "
                  f"keras.optimizers.Adam(learning_rate={LEARNING_RATE})" if math.isclose(learning_rate, 0.001, rel_tol=1e-5) else "")
        return wrong(f"Adam's learning rate is {learning_rate:g}{advice}; the variant uses {LEARNING_RATE}.")
    name, given = loss_name(answer.loss)
    if name != "categorical_crossentropy":
        return wrong(f"the loss is {given!r}; the labels are one-hot, so keep "
                     "loss=\"categorical_crossentropy\".")
    return right(f"Dense({UNITS}, relu) -> Dropout({RATE}) -> Dense(10, softmax), Adam at {LEARNING_RATE}: "
                 f"{answer.count_params():,} parameters. Train it with model.fit as run_experiment does.")


def early_stopping_epochs(val_losses: list[float], patience: int) -> tuple[int, int]:
    """(epochs trained, epoch whose weights are kept) for EarlyStopping(monitor="val_loss", patience) on this curve."""
    best, best_epoch, waited = math.inf, 0, 0
    for epoch, loss in enumerate(val_losses, start=1):
        if loss < best:
            best, best_epoch, waited = loss, epoch, 0
        else:
            waited += 1
            if waited >= patience:
                return epoch, best_epoch
    return len(val_losses), best_epoch


def _watched_history() -> list[float]:
    """The cached curve, read from the file itself: the curve notebook 10 shows (its load_results refuses a stale
    file, and imports TensorFlow)."""
    try:
        return json.loads(RESULTS_PATH.read_text(encoding="utf-8"))["experiments"][WATCHED]["history"]["val_loss"]
    except (OSError, ValueError, KeyError):
        raise CheckerDataMissing(f"the check reads the cached curve of {WATCHED} from {shown_path(RESULTS_PATH)}, "
                                 "which is missing or incomplete: run `make experiments` to make it") from None


def _judge_early_stop(answer: Any) -> Feedback:
    value = as_number(answer)
    val_loss = _watched_history()
    stopped, kept = early_stopping_epochs(val_loss, PATIENCE)
    lowest = val_loss.index(min(val_loss)) + 1
    if value == stopped:
        return right(f"the lowest validation loss so far came at epoch {kept}; {PATIENCE} epochs without a new "
                     f"lowest later, after epoch {stopped}, it stops and restores epoch {kept}'s weights.")
    known = [
        (kept, f"epoch {kept} is the one whose weights it keeps (restore_best_weights); it trains {PATIENCE} more "
               "epochs, hoping for a new lowest, before it gives up."),
        (stopped - 1, f"one short: after epoch {kept} it waits {PATIENCE} whole epochs, each without a new lowest "
                      "(and epochs count from 1, as Keras prints them)."),
        (kept - 1, "epochs count from 1, as Keras prints them (Epoch 1/20); and it trains on past the best epoch."),
        (lowest + PATIENCE, f"the lowest of all 20 epochs is at epoch {lowest}, but EarlyStopping cannot see the "
                            f"future: it stops at the first {PATIENCE} epochs in a row without a new lowest."),
        (len(val_loss), f"it stops before epoch {len(val_loss)}: the validation loss stops improving long before."),
    ]
    return known_mistake(value, [(v, m) for v, m in known if v != stopped]) or wrong(
        f"{show(value)} is not it: find the epoch of the lowest validation loss so far, then count the epochs "
        f"until {PATIENCE} in a row have brought no new lowest.")


q1 = Question("nb10.q1", _judge_early_stop, answer_name="epochs_trained", expects="a number of epochs",
              hint="Walk along the validation loss of epochs_20: remember the lowest so far; count the epochs "
                   "since it; when that count reaches 3, training stops (count epochs from 1).",
              explanation="EarlyStopping's own rule, written as a loop over the cached curve.",
              solution_code="""
                  from helpers.experiments import load_results
                  val_loss = load_results()["experiments"]["epochs_20"]["history"]["val_loss"]
                  lowest, waited = float("inf"), 0
                  for epoch, loss in enumerate(val_loss, start=1):
                      if loss < lowest:
                          lowest, waited = loss, 0
                      else:
                          waited += 1
                          if waited == 3:
                              break
                  epochs_trained = epoch
              """)

q2 = Question("nb10.q2", _judge_variant, answer_name="model", expects="your compiled Keras model",
              hint="Copy the Sequential and compile of run_experiment with the numbers filled in: "
                   "keras.layers.Dropout(0.2) goes between the two Dense layers, and "
                   "keras.optimizers.Adam(learning_rate=0.0005) is the optimizer.",
              explanation="the reference with three changes: 128 units, a Dropout layer, Adam at 0.0005.",
              solution_code="""
                  model = keras.Sequential([
                      keras.Input(shape=(784,)),
                      keras.layers.Dense(128, activation="relu"),
                      keras.layers.Dropout(0.2),
                      keras.layers.Dense(10, activation="softmax"),
                  ])
                  model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.0005),
                                loss="categorical_crossentropy", metrics=["accuracy"])
              """)
