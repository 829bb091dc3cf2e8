"""nb08: the size of RMSprop's first step (a number reasoned from the formula), and b1's gradient (a function),
each checked against Keras and TensorFlow, with plausible wrong answers rejected by name."""
from __future__ import annotations

import math

import numpy as np
import pytest

from helpers.exercises import nb08


def test_the_first_step_is_what_keras_rmsprop_does(keras) -> None:
    weight = keras.Variable(np.array([1.0, 1.0, 1.0], dtype="float32"))
    gradient = np.array([nb08.GRADIENT, 5.0, 0.05], dtype="float32")  # the step does not grow with the gradient
    keras.optimizers.RMSprop(learning_rate=nb08.LEARNING_RATE).apply_gradients([(gradient, weight)])
    steps = 1.0 - keras.ops.convert_to_numpy(weight)
    assert np.allclose(steps, nb08.first_step(nb08.GRADIENT), rtol=1e-3)


@pytest.mark.parametrize("answer", [nb08.first_step(0.5), 0.0032, 0.00316, 0.001 / math.sqrt(0.1), "solution"])
def test_first_step_right(answer) -> None:
    if answer == "solution":
        namespace: dict = {}
        exec(nb08.q1.solution_code, namespace)
        answer = namespace["first_step"]
    assert nb08.q1.evaluate(answer).status == "correct"


@pytest.mark.parametrize("answer, word", [
    (0.0005, "plain gradient descent"), (0.001, "(1 - rho)"), (0.02, "square root"), (0.005, "square the gradient"),
    (0.001 * 0.5 / math.sqrt(0.9 * 0.25), "swapped"), (-0.00316, "positive number"), (0.003, "not it"),
    (0.001 * math.sqrt(0.025), "divides"), ("0.00316", "quotes"),
])
def test_first_step_mistakes_are_named(answer, word) -> None:
    feedback = nb08.q1.evaluate(answer)
    assert feedback.status == "incorrect" and word in feedback.message, feedback


def test_the_hidden_bias_gradient_is_tensorflows(keras) -> None:
    import tensorflow as tf

    for x, y, W1, b1, W2, b2 in nb08._cases():
        bias = tf.Variable(b1)
        with tf.GradientTape() as tape:
            hidden = tf.nn.relu(x @ W1 + bias)
            # from the scores (logits): Keras clips probabilities near 1, which would zero some terms
            loss = keras.losses.CategoricalCrossentropy(from_logits=True)(y, hidden @ W2 + b2)
        expected = tape.gradient(loss, bias).numpy()
        assert np.allclose(nb08.hidden_bias_gradient(x, y, W1, b1, W2, b2), expected, atol=1e-6)
        assert ((x @ W1 + b1) <= 0).any(), "each case needs inactive units, or the relu mistake would not show"


def solution():
    namespace: dict = {}
    exec(nb08.q2.solution_code, namespace)
    return namespace["hidden_bias_gradient"]


def naive_softmax(x, y, W1, b1, W2, b2):  # right, in another spelling (no max subtracted; loops over images)
    total = np.zeros_like(b1)
    for xi, yi in zip(x, y):
        pre = xi @ W1 + b1
        scores = np.maximum(pre, 0) @ W2 + b2
        p = np.exp(scores) / np.exp(scores).sum()
        total += ((p - yi) @ W2.T) * (pre > 0)
    return total / len(x)


@pytest.mark.parametrize("answer", [solution(), naive_softmax])
def test_hidden_bias_gradient_right(answer) -> None:
    assert nb08.q2.evaluate(answer).status == "correct"


def per_image(x, y, W1, b1, W2, b2):
    pre = x @ W1 + b1
    d = (nb08.softmax(np.maximum(pre, 0) @ W2 + b2) - y) / len(x)
    return (d @ W2.T) * (pre > 0)


@pytest.mark.parametrize("answer, word", [
    (lambda x, y, W1, b1, W2, b2: nb08.hidden_bias_gradient(x, y, W1, b1, W2, b2, mask=False), "relu is missing"),
    (lambda x, y, W1, b1, W2, b2: nb08.hidden_bias_gradient(x, y, W1, b1, W2, b2, mean=False), "batch size"),
    (per_image, "sum over the batch"),
    (lambda x, y, W1, b1, W2, b2: ((nb08.softmax(np.maximum(x @ W1 + b1, 0) @ W2 + b2) - y) / len(x)).sum(axis=0),
     "b2's gradient"),
    (lambda x, y, W1, b1, W2, b2: ((nb08.softmax(x @ W1 @ W2) - y) @ W2).sum(axis=0), "W2.T"),
    (lambda x, y, W1, b1, W2, b2: 2 * nb08.hidden_bias_gradient(x, y, W1, b1, W2, b2), "not b1's gradient yet"),
    (lambda x, y, W1, b1, W2, b2: print(b1), "return, not print"),
    (lambda x, y: 0, "def line"),
])
def test_hidden_bias_gradient_mistakes_are_named(answer, word) -> None:
    feedback = nb08.q2.evaluate(answer)
    assert feedback.status == "incorrect" and word in feedback.message, feedback
    assert str(feedback).count("\n") <= 1
