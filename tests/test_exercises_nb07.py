"""nb07: best_epoch on histories that overfit, layer_sizes on three real Keras models; mistakes named."""
from __future__ import annotations

import numpy as np
import pytest

from helpers.exercises import nb07


def test_best_epoch_histories_are_what_they_claim():
    assert nb07.BEST == [int(np.argmin(h["val_loss"])) + 1 for h in nb07.HISTORIES]


def test_the_real_curve_is_notebook_10s_epochs_20_run():
    from helpers.experiments import load_results

    assert nb07.HISTORIES[-1] == load_results()["experiments"]["epochs_20"]["history"]


def best_loop(history):
    losses = history["val_loss"]
    best = 0
    for epoch, loss in enumerate(losses):
        if loss < losses[best]:
            best = epoch
    return best + 1


@pytest.mark.parametrize("answer", [
    lambda h: int(np.argmin(h["val_loss"])) + 1, lambda h: np.argmin(h["val_loss"]) + 1, best_loop,
    lambda h: h["val_loss"].index(min(h["val_loss"])) + 1,
])
def test_best_epoch_right_answers(answer):
    assert nb07.q1.evaluate(answer).status == "correct"


@pytest.mark.parametrize("answer, word", [
    (lambda h: int(np.argmin(h["val_loss"])), "counting from 0"),
    (lambda h: int(np.argmin(h["loss"])) + 1, "training loss"),
    (lambda h: int(np.argmax(h["val_accuracy"])) + 1, "highest validation accuracy"),
    (lambda h: int(np.argmax(h["val_loss"])) + 1, "highest validation loss"),
    (lambda h: min(h["val_loss"]), "lowest loss itself"),
    (lambda h: len(h["val_loss"]), "always the last epoch"),
    (lambda h: 3, "not yet"),
    (lambda h: h.history["val_loss"], "index it directly"),
    (lambda h: str(int(np.argmin(h["val_loss"])) + 1), "returns a str"),
    (lambda h: [1, 2], "returns a list"),
    (nb07._before_first_rise, "first rise"),
    (nb07._last_of_the_lowest, "on a tie"),
    (lambda h: print(int(np.argmin(h["val_loss"])) + 1), "return, not print"),
    (lambda h: True, "returns a bool"),
    (lambda: 3, "def line"),
    (5, "not a function"),
])
def test_best_epoch_mistakes_are_named(answer, word):
    feedback = nb07.q1.evaluate(answer)
    assert feedback.status == "incorrect" and word in feedback.message, feedback
    assert str(feedback).count("\n") <= 1


def test_best_epoch_stub_is_not_answered_yet():
    def best_epoch(history):
        return None  # replace with your code
    assert "replace `return None`" in nb07.q1.evaluate(best_epoch).message


def sizes_right(model):
    return [model.input_shape[-1]] + [layer.units for layer in model.layers]


@pytest.mark.parametrize("answer", [
    sizes_right, lambda m: tuple(sizes_right(m)), lambda m: np.array(sizes_right(m)),
    lambda m: [m.layers[0].kernel.shape[0]] + [layer.kernel.shape[1] for layer in m.layers],
])
def test_layer_sizes_right_answers(answer):
    assert nb07.q2.evaluate(answer).status == "correct", nb07.q2.evaluate(answer)


@pytest.mark.parametrize("answer, word", [
    (lambda m: [784, 512, 10], "not from the reference network"),
    (lambda m: [layer.units for layer in m.layers], "input is missing"),
    (lambda m: [*m.input_shape] + [layer.units for layer in m.layers], "batch size"),
    (lambda m: [layer.count_params() for layer in m.layers], "parameters"),
    (lambda m: [m.input_shape] + [tuple(layer.output.shape) for layer in m.layers], "shapes"),
    (lambda m: sizes_right(m)[::-1], "one number for the input"),
    (lambda m: "784, 512, 10", "returns a str"),
    (lambda m: m.summary, "returns a method"),
    (lambda m: m.units, "raised AttributeError"),
    ("layer_sizes", "not a function"),
])
def test_layer_sizes_mistakes_are_named(answer, word):
    feedback = nb07.q2.evaluate(answer)
    assert feedback.status == "incorrect" and word in feedback.message, feedback
    assert str(feedback).count("\n") <= 1


def test_layer_sizes_stub_is_not_answered_yet():
    def layer_sizes(model):
        return None  # replace with your code
    assert "replace `return None`" in nb07.q2.evaluate(layer_sizes).message


def test_a_function_that_changes_the_model_cannot_corrupt_later_checks():
    def popping(model):
        model.pop()  # changes the model it is given
        return [model.input_shape[-1]] + [layer.units for layer in model.layers]

    assert nb07.q2.evaluate(popping).status == "incorrect"
    assert nb07.q2.evaluate(sizes_right).status == "correct"
