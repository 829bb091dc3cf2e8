"""Notebook 03's checkers: a loss by hand, and a model compiled for integer labels (the loss it was given)."""
from __future__ import annotations

import math

import numpy as np
import pytest

from checking import said

from helpers.exercises import nb03


def compiled(keras, loss="sparse_categorical_crossentropy", optimizer="rmsprop", metrics=("accuracy",), hidden=512):
    model = keras.Sequential([keras.Input((784,)), keras.layers.Dense(hidden, activation="relu"),
                              keras.layers.Dense(10, activation="softmax")])
    if loss is not None:
        model.compile(optimizer=optimizer, loss=loss, metrics=list(metrics))
    return model


@pytest.mark.parametrize("answer", [-math.log(0.7), 0.3567, np.float32(0.35667), np.array([0.3567])])
def test_loss_by_hand_right(answer) -> None:
    said(nb03.q1, answer, "correct")


@pytest.mark.parametrize("answer, word", [
    (0.1549, "log10"), (-0.3567, "minus sign"), (2.3026, "ln(0.1)"), (1.6094, "ln(0.2)"), (4.2687, "summed"),
    (0.5146, "log2"), (0.7, "probability itself"), (0.36, "decimals"), ("0.357", "quotes"), (10**400, "too large"),
])
def test_loss_by_hand_mistakes(answer, word) -> None:
    said(nb03.q1, answer, "incorrect", word)


def test_compiled_for_integers_right(keras) -> None:
    said(nb03.q2, compiled(keras), "correct", "sparse_categorical_crossentropy")
    said(nb03.q2, compiled(keras, loss=keras.losses.SparseCategoricalCrossentropy()), "correct")
    said(nb03.q2, compiled(keras, loss=keras.losses.sparse_categorical_crossentropy), "correct")
    said(nb03.q2, compiled(keras, optimizer=keras.optimizers.RMSprop()), "correct")
    # other spellings Keras accepts: the class name as a string, "acc" for the accuracy
    said(nb03.q2, compiled(keras, loss="SparseCategoricalCrossentropy"), "correct")
    said(nb03.q2, compiled(keras, metrics=("acc",)), "correct")
    said(nb03.q2, compiled(keras, metrics=(keras.metrics.SparseCategoricalAccuracy(),)), "correct")


def test_from_logits_on_a_softmax_output_is_named(keras) -> None:
    said(nb03.q2, compiled(keras, loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True)), "incorrect",
         "from_logits")


@pytest.mark.parametrize("loss, word", [
    ("categorical_crossentropy", "one-hot"), ("CategoricalCrossentropy", "one-hot"), ("categoricalcrossentropy", "one-hot"),
    ("integer_categorical_crossentropy", "'sparse'"), ("int_crossentropy", "'sparse'"),
    ("binary_crossentropy", "two classes"), ("mse", "regression"), ("mean_squared_error", "regression"),
    ("hinge", "not one for integer"), ("sparse_categorical_crossentrophy", "did you mean 'sparse_categorical_crossentropy'"),
    ("sparse_categorial_crossentropy", "did you mean 'sparse_categorical_crossentropy'"),
    ("Sparse_Categorical_Crossentropy", "letter for letter"), (" sparse_categorical_crossentropy ", "spaces"),
    ("sparsecategoricalcrossentropy", "underscores"), ("cross", "not a keras loss name"),
])
def test_a_loss_that_does_not_fit_integer_labels_is_named(loss, word, keras) -> None:
    said(nb03.q2, compiled(keras, loss=loss), "incorrect", word)


def test_integer_categorical_is_never_pointed_back_to_the_one_hot_loss(keras) -> None:
    for loss in ("integer_categorical_crossentropy", "categoricalcrossentropy", "categorical_crossentropyy"):
        message = nb03.q2.evaluate(compiled(keras, loss=loss)).message
        assert "did you mean 'categorical_crossentropy'" not in message, message


def test_compiled_for_integers_other_mistakes(keras) -> None:
    said(nb03.q2, compiled(keras, loss=None), "incorrect", "not compiled")
    said(nb03.q2, compiled(keras, optimizer="adam"), "incorrect", "Adam", "rmsprop")
    said(nb03.q2, compiled(keras, metrics=()), "incorrect", "accuracy")
    said(nb03.q2, compiled(keras, loss=keras.losses.SparseCategoricalCrossentropy), "incorrect", "class itself")
    said(nb03.q2, compiled(keras, loss=keras.losses.CategoricalCrossentropy()), "incorrect", "one-hot")
    said(nb03.q2, compiled(keras, hidden=256), "incorrect", "Dense(512)")
    said(nb03.q2, "sparse_categorical_crossentropy", "incorrect", "keras.Sequential")
    model = compiled(keras)
    said(nb03.q2, model.compile, "incorrect", "method .compile", "model itself")
    said(nb03.q2, None, "unanswered", "compile() and model.summary() return None")


def test_the_loss_names_are_keras_losses_and_the_right_one_reads_integer_labels(keras) -> None:
    for name in nb03.KERAS_LOSS_NAMES:
        keras.losses.get(name)  # raises for a name Keras does not know
    labels, probabilities = np.array([3, 0]), np.full((2, 10), 0.1)
    value = keras.losses.get(nb03.LOSS_FOR_INTEGER_LABELS)(labels, probabilities)
    assert np.allclose(keras.ops.convert_to_numpy(value), -np.log(0.1), atol=1e-5)
    with pytest.raises(ValueError):
        keras.losses.get("integer_categorical_crossentropy")  # really no such loss: the feedback is true


def loop_version(probabilities, labels):  # right, in another spelling
    total = 0.0
    for row, label in zip(probabilities, labels):
        total -= math.log(row[label])
    return total / len(labels)


def test_batch_loss_right_answers_are_keras_own(keras) -> None:
    namespace: dict = {}
    exec(nb03.q3.solution_code, namespace)
    for p, labels in nb03._batch_cases():
        keras_loss = float(keras.ops.mean(keras.losses.sparse_categorical_crossentropy(labels, p)))
        assert math.isclose(namespace["mean_sparse_crossentropy"](p, labels), keras_loss, rel_tol=1e-5)
    for answer in (namespace["mean_sparse_crossentropy"], loop_version,
                   lambda p, t: float(keras.ops.mean(keras.losses.sparse_categorical_crossentropy(t, p)))):
        said(nb03.q3, answer, "correct")


@pytest.mark.parametrize("index", range(len(nb03.BATCH_LOSS_MISTAKES)))
def test_batch_loss_mistakes_are_named(index) -> None:
    formula, message = nb03.BATCH_LOSS_MISTAKES[index]
    said(nb03.q3, formula, "incorrect", message[:30])


@pytest.mark.parametrize("answer, word", [
    (lambda p, t: -np.log(p[np.arange(len(t)), t]), "one number"),
    (lambda p, t: print(-np.mean(np.log(p[np.arange(len(t)), t]))), "return, not print"),
    (lambda p, t: -np.mean(np.log(p[np.arange(len(t)), t])) * 2, "not it yet"),
    (3.0, "not a function"),
])
def test_batch_loss_other_answers_are_named(answer, word) -> None:
    said(nb03.q3, answer, "incorrect", word)
