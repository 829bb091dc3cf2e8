"""Exercises of notebook 07 (pictures of the network and its training): ``nb07.q1`` the best epoch of a
history, ``nb07.q2`` a model's layer sizes, read from the model."""
from __future__ import annotations

from typing import Any

import numpy as np

from helpers.exercises.core import Feedback, Question, Rejected, right, wrong, kind, as_function, call_learner

# Histories as notebook 05 saves them (a dict of per-epoch lists), each built so that one mistake shows.
HISTORIES: list[dict[str, list[float]]] = [
    {  # validation loss lowest at epoch 3, then rising; training loss keeps falling; accuracy peaks at epoch 4
        "loss": [0.60, 0.40, 0.30, 0.20, 0.10],
        "val_loss": [0.50, 0.30, 0.20, 0.25, 0.32],
        "accuracy": [0.80, 0.88, 0.92, 0.95, 0.98],
        "val_accuracy": [0.84, 0.90, 0.92, 0.93, 0.91],
    },
    {  # still falling at the last epoch, like the series' own run
        "loss": [0.26, 0.11, 0.07, 0.05, 0.04],
        "val_loss": [0.13, 0.09, 0.076, 0.070, 0.068],
        "accuracy": [0.92, 0.97, 0.98, 0.986, 0.99],
        "val_accuracy": [0.96, 0.971, 0.977, 0.979, 0.98],
    },
    {  # lowest at the first epoch; eight epochs; training loss lowest at epoch 7
        "loss": [0.9, 0.7, 0.5, 0.4, 0.3, 0.25, 0.2, 0.22],
        "val_loss": [0.40, 0.45, 0.41, 0.50, 0.55, 0.60, 0.62, 0.70],
        "accuracy": [0.7, 0.75, 0.8, 0.85, 0.88, 0.9, 0.92, 0.94],
        "val_accuracy": [0.80, 0.79, 0.81, 0.78, 0.77, 0.77, 0.76, 0.75],
    },
    {  # two dips: the first rise comes before the lowest point (epoch 4)
        "loss": [0.50, 0.35, 0.28, 0.22, 0.18, 0.15],
        "val_loss": [0.50, 0.30, 0.35, 0.25, 0.28, 0.33],
        "accuracy": [0.85, 0.90, 0.92, 0.94, 0.95, 0.96],
        "val_accuracy": [0.85, 0.89, 0.88, 0.92, 0.91, 0.90],
    },
    {  # a plateau with ties: the lowest value first reached at epoch 2, reached again at 3 and 5
        "loss": [0.50, 0.40, 0.35, 0.30, 0.25],
        "val_loss": [0.40, 0.30, 0.30, 0.35, 0.30],
        "accuracy": [0.85, 0.88, 0.90, 0.91, 0.93],
        "val_accuracy": [0.86, 0.89, 0.90, 0.89, 0.91],
    },
    {  # a real curve: notebook 10's epochs_20 run (notebooks/results/experiments.json; a test keeps them equal)
        "loss": [0.28942, 0.11914, 0.07731, 0.05464, 0.03952, 0.02841, 0.02001, 0.01416, 0.00997, 0.00694,
                 0.00485, 0.00327, 0.00235, 0.00159, 0.00116, 0.00088, 0.0007, 0.00058, 0.0005, 0.00043],
        "val_loss": [0.14875, 0.11295, 0.10086, 0.09501, 0.08903, 0.08131, 0.07754, 0.08091, 0.08584, 0.08613,
                     0.08903, 0.08371, 0.08343, 0.0832, 0.0825, 0.08326, 0.08396, 0.08474, 0.0854, 0.08605],
        "accuracy": [0.91646, 0.96534, 0.97832, 0.98432, 0.98978, 0.99276, 0.9956, 0.9973, 0.99824, 0.999,
                     0.99934, 0.9996, 0.99978, 0.99992, 0.99998, 1.0, 1.0, 1.0, 1.0, 1.0],
        "val_accuracy": [0.9582, 0.9671, 0.9706, 0.9733, 0.9759, 0.978, 0.9793, 0.9794, 0.9791, 0.979, 0.9794,
                         0.9806, 0.9808, 0.9818, 0.9825, 0.9827, 0.9823, 0.9826, 0.983, 0.9831],
    },
]
BEST = [3, 5, 1, 4, 2, 7]


def _before_first_rise(history: dict[str, list[float]]) -> int:
    losses = history["val_loss"]
    return next((epoch for epoch in range(1, len(losses)) if losses[epoch] > losses[epoch - 1]), len(losses))


def _last_of_the_lowest(history: dict[str, list[float]]) -> int:
    losses = history["val_loss"]
    return max(epoch for epoch, loss in enumerate(losses, start=1) if loss == min(losses))


def _best_by(history: dict[str, list[float]], key: str, pick=np.argmin) -> int:
    return int(pick(history[key])) + 1


def _judge_best_epoch(answer: Any) -> Feedback:
    best_epoch = as_function(answer, "best_epoch")
    results = []
    for history in HISTORIES:
        try:
            result = call_learner(best_epoch, {key: list(values) for key, values in history.items()})
        except Rejected as rejected:
            if "has no attribute 'history'" in rejected.feedback.message:
                raise Rejected(wrong(f"{rejected.feedback.message}\nhistory here is the dict notebook 05 saved "
                                     "(history.history): index it directly, history[\"val_loss\"].")) from None
            raise
        if isinstance(result, (bool, np.bool_)) or not isinstance(result, (int, np.integer, float, np.floating)):
            return wrong(f"best_epoch returns {kind(result)}; return one whole number, the epoch (1, 2, ...).")
        results.append(result)
    if results == BEST:
        return right("the epoch with the lowest validation loss: where EarlyStopping(restore_best_weights=True) "
                     "would go back to.")
    mistakes = [
        ([b - 1 for b in BEST], "that is the index, counting from 0; epochs count from 1, as in the log "
                                "(Epoch 1/5): add 1."),
        ([_before_first_rise(h) for h in HISTORIES], "that stops at the first rise of the validation loss, but "
                                                     "a curve can dip again lower later: find the lowest value "
                                                     "over all epochs."),
        ([_last_of_the_lowest(h) for h in HISTORIES], "on a tie, that returns the last epoch with the lowest "
                                                      "loss; keep the first one (as np.argmin and EarlyStopping "
                                                      "do): compare with < rather than <=."),
        ([_best_by(h, "loss") for h in HISTORIES], "that follows the training loss; use the validation loss, "
                                                   "history[\"val_loss\"], which measures images not trained on."),
        ([_best_by(h, "val_accuracy", np.argmax) for h in HISTORIES],
         "that is the epoch with the highest validation accuracy; the exercise asks for the lowest validation "
         "loss."),
        ([_best_by(h, "val_loss", np.argmax) for h in HISTORIES], "that is the epoch with the highest validation "
                                                                  "loss; take the lowest (np.argmin)."),
        ([min(h["val_loss"]) for h in HISTORIES], "that is the lowest loss itself; return the epoch it was "
                                                  "reached in."),
        ([len(h["val_loss"]) for h in HISTORIES], "that is always the last epoch; look for the one where "
                                                  "history[\"val_loss\"] is lowest."),
    ]
    for expected, message in mistakes:
        if np.allclose(results, expected):
            return wrong(message)
    return wrong("not yet: find the position of the smallest value in history[\"val_loss\"], then add 1.")


def _layer_sizes_mistakes(model: Any, right_sizes: list[int]) -> dict[str, list]:
    return {
        "no input": right_sizes[1:],
        "with None": [None, *right_sizes],
        "parameters": [layer.count_params() for layer in model.layers],
    }


def _models() -> list[tuple[Any, list[int]]]:
    """Three small models, new at every check (a learner's function may change them, e.g. model.pop()): the
    reference network and two others, with their sizes."""
    import keras

    def dense(*units: int, inputs: int) -> keras.Sequential:
        return keras.Sequential([keras.Input(shape=(inputs,)),
                                 *[keras.layers.Dense(u, activation="relu") for u in units[:-1]],
                                 keras.layers.Dense(units[-1], activation="softmax")])

    return [(dense(512, 10, inputs=784), [784, 512, 10]),
            (dense(256, 128, 10, inputs=784), [784, 256, 128, 10]),
            (dense(8, 3, inputs=20), [20, 8, 3])]


def _as_sizes(result: Any) -> list | None:
    if isinstance(result, np.ndarray):
        result = result.tolist()
    if not isinstance(result, (list, tuple)):
        return None
    return [int(x) if isinstance(x, (int, np.integer)) and not isinstance(x, bool) else x for x in result]


def _judge_layer_sizes(answer: Any) -> Feedback:
    layer_sizes = as_function(answer, "layer_sizes")
    models = _models()
    for model, expected in models:
        result = call_learner(layer_sizes, model)
        sizes = _as_sizes(result)
        if sizes is None:
            return wrong(f"layer_sizes returns {kind(result)}; return a list of whole numbers, e.g. [784, 512, 10].")
        if sizes == expected:
            continue
        if any(isinstance(x, tuple) for x in sizes):
            return wrong("these are shapes; take one number per layer: the last one of each shape, or layer.units.")
        mistakes = _layer_sizes_mistakes(model, expected)
        if sizes == mistakes["no input"]:
            return wrong(f"the input is missing: put model.input_shape[-1] ({expected[0]} here) first.")
        if sizes == mistakes["with None"]:
            return wrong("None is the batch size, which Keras leaves open; take model.input_shape[-1], not the "
                         "whole shape.")
        if sizes == mistakes["parameters"]:
            return wrong("these are the parameters of each layer; the diagram needs the neurons: layer.units.")
        if sizes == models[0][1] and expected != sizes:
            return wrong(f"layer_sizes gives [784, 512, 10] for a model of sizes {expected}: read the sizes from "
                         "the model passed in (its argument), not from the reference network.")
        return wrong(f"for a model of sizes {expected} layer_sizes returns {sizes}: one number for the input, then "
                     "layer.units for every Dense layer.")
    return right("read from the model itself, not typed in: it works for any stack of Dense layers.")


q1 = Question("nb07.q1", _judge_best_epoch, answer_name="best_epoch", expects="your function",
              hint="history[\"val_loss\"] is a list with one loss per epoch; np.argmin gives the position of the "
                   "smallest, counting from 0.",
              explanation="the position of the smallest validation loss, plus 1 because epochs count from 1.",
              solution_code="""
                  import numpy as np

                  def best_epoch(history):
                      return int(np.argmin(history["val_loss"])) + 1
              """)

q2 = Question("nb07.q2", _judge_layer_sizes, answer_name="layer_sizes", expects="your function",
              hint="model.input_shape is (None, 784): the last number is the input size. Each Dense layer in "
                   "model.layers has .units.",
              explanation="the input size from model.input_shape, then the units of every layer.",
              solution_code="""
                  def layer_sizes(model):
                      return [model.input_shape[-1]] + [layer.units for layer in model.layers]
              """)
