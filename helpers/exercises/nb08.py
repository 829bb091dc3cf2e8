"""Exercises of notebook 08 (under the hood): ``nb08.q1`` the size of RMSprop's first step (reasoning from
its formula), ``nb08.q2`` the gradient of the hidden layer's biases (backpropagation one layer further)."""
from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np

from helpers.exercises.core import (Feedback, Question, Rejected, as_float_array, as_function, as_number,
                                    call_learner, close, judged_outputs, known_mistake, right, rounds_to, wrong)

LEARNING_RATE, RHO, EPSILON = 0.001, 0.9, 1e-7
GRADIENT = 0.5  # the gradient of the weight in q1


def first_step(g: float, learning_rate: float = LEARNING_RATE, rho: float = RHO, epsilon: float = EPSILON) -> float:
    """How far RMSprop's first update (v starts at 0) moves a weight whose gradient is ``g``."""
    v = (1 - rho) * g ** 2
    return learning_rate * abs(g) / math.sqrt(v + epsilon)


def _judge_first_step(answer: Any) -> Feedback:
    value = as_number(answer)
    exact = first_step(GRADIENT)
    # rounded to 2 or more digits, or with epsilon left out (0.001 / sqrt(0.1) differs in the 6th digit)
    if value > 0 and (rounds_to(value, exact, min_digits=2) or math.isclose(value, exact, rel_tol=1e-4)):
        return right(f"{LEARNING_RATE} × {GRADIENT} / sqrt({1 - RHO:.1f} × {GRADIENT}²) = {LEARNING_RATE} / "
                     f"sqrt({1 - RHO:.1f}) ≈ {exact:.5f}. The gradient cancels out: on its first step every weight "
                     "whose gradient is well above sqrt(epsilon) moves by the same amount, whatever the gradient's size.")
    if value < 0 and (rounds_to(-value, exact, min_digits=2) or math.isclose(-value, exact, rel_tol=1e-4)):
        return wrong(f"the weight moves by {-value:g}, down (against its positive gradient); the question asks "
                     "for the size of the step, a positive number.")
    g, lr = GRADIENT, LEARNING_RATE
    known = [
        (lr * g, "that is plain gradient descent's step, learning_rate × g; RMSprop divides it by sqrt(v + epsilon)."),
        (lr, f"that would be right if v were g² after the first update; it is (1 - rho)·g² = {(1 - RHO) * g * g:g}, "
             "since v starts at 0."),
        (lr * g / ((1 - RHO) * g * g), "you forgot the square root: divide by sqrt(v + epsilon), not by v."),
        (lr * g / (1 - RHO), "v is (1 - rho)·g², not (1 - rho): square the gradient."),
        (lr * g / math.sqrt(RHO * g * g), "rho and 1 - rho are swapped: the new v is rho·0 + (1 - rho)·g²."),
        (lr * g / math.sqrt(EPSILON), "that uses the old v, 0: Keras updates v first, then divides by sqrt(new v)."),
        (lr * math.sqrt((1 - RHO) * g * g), "you multiplied by sqrt(v); RMSprop divides by it."),
    ]
    found = known_mistake(value, known, rel_tolerance=2e-2)
    return found or wrong(f"{value:g} is not it: compute v = (1 - rho)·g² first, then learning_rate·g / sqrt(v + epsilon).")


def relu(z: np.ndarray) -> np.ndarray:
    return np.maximum(z, 0)


def softmax(z: np.ndarray, axis: int = -1) -> np.ndarray:
    exp = np.exp(z - z.max(axis=axis, keepdims=True))
    return exp / exp.sum(axis=axis, keepdims=True)


def hidden_bias_gradient(x, y, W1, b1, W2, b2, *, mask: bool = True, mean: bool = True) -> np.ndarray:
    """The gradient of the mean crossentropy with respect to b1, and the usual ways to get it wrong."""
    pre = x @ W1 + b1
    hidden = relu(pre)
    d_scores = softmax(hidden @ W2 + b2) - y
    if mean:
        d_scores = d_scores / len(x)
    d_hidden = d_scores @ W2.T
    d_pre = d_hidden * (pre > 0) if mask else d_hidden
    return d_pre.sum(axis=0)


@functools.cache
def _cases() -> list[tuple[np.ndarray, ...]]:
    """(x, y, W1, b1, W2, b2): small batches whose sizes differ, with hidden units inactive on some images."""
    rng = np.random.default_rng(8)
    cases = []
    for n, inputs, units, classes in ((6, 5, 4, 3), (9, 7, 6, 10)):
        x = rng.normal(size=(n, inputs))
        W1, b1 = rng.normal(size=(inputs, units)), rng.normal(scale=0.5, size=units)
        W2, b2 = rng.normal(size=(units, classes)), rng.normal(scale=0.5, size=classes)
        y = np.eye(classes)[rng.integers(0, classes, size=n)]
        cases.append((x, y, W1, b1, W2, b2))
    return cases


BIAS_MISTAKES: list[tuple[dict[str, bool], str]] = [
    ({"mask": False}, "relu is missing: a hidden unit that was inactive on an image (its input below 0) passes no "
                      "gradient back for that image; multiply by (x @ W1 + b1 > 0)."),
    ({"mean": False}, "you forgot to divide by the batch size: the loss is the mean over the batch, so d_scores is "
                      "(probabilities - y) / len(x)."),
    ({"mask": False, "mean": False}, "relu is missing (multiply by (x @ W1 + b1 > 0)) and you forgot to divide by "
                                     "the batch size."),
]


def _judge_hidden_bias_gradient(answer: Any) -> Feedback:
    gradient = as_function(answer, "hidden_bias_gradient")
    outputs = []
    for case in _cases():
        x, y, W1, b1, W2, b2 = case
        try:
            result = as_float_array(call_learner(gradient, *(a.copy() for a in case)), "the result")
        except Rejected as rejected:
            if "mismatch" in rejected.feedback.message or "shapes" in rejected.feedback.message:
                raise Rejected(wrong(f"{rejected.feedback.message}\nGoing back through the output layer multiplies "
                                     "by W2 transposed: d_scores @ W2.T, shape (batch, hidden units).")) from None
            raise
        if result.shape == (len(x), len(b1)):
            return wrong(f"this has one row per image, shape {result.shape}: b1's gradient has one value per hidden "
                         "unit; sum over the batch, .sum(axis=0), as b2's does.")
        if result.shape == b2.shape and result.shape != b1.shape:
            return wrong("this has one value per output class: that is b2's gradient. Go one layer further back, "
                         "through W2 and relu.")
        if result.shape != b1.shape:
            return wrong(f"the gradient has shape {result.shape}; b1's has {b1.shape}, one value per hidden unit.")
        outputs.append(result)

    def matches(flaws: dict) -> bool:
        return all(close(out, hidden_bias_gradient(*case, **flaws)) for case, out in zip(_cases(), outputs))

    return judged_outputs(
        matches, {}, BIAS_MISTAKES,
        "d_scores @ W2.T gives how the loss changes with each hidden output; relu lets it through "
        "only where the unit was active; summed over the batch, it is b1's gradient.",
        "not b1's gradient yet: d_scores = (softmax(scores) - y) / len(x), then d_scores @ W2.T, times "
        "(x @ W1 + b1 > 0), summed over the batch.")


q1 = Question("nb08.q1", _judge_first_step, answer_name="first_step", expects="the size of the step (a number)",
             hint="v starts at 0, so after the first update v = (1 - rho)·g². Then the step is "
                  "learning_rate·g / sqrt(v + epsilon); epsilon is tiny next to v here.",
             explanation="v = 0.1 × 0.5² = 0.025; the step is 0.001 × 0.5 / sqrt(0.025) = 0.001 / sqrt(0.1).",
             solution_code="""
                 import math
                 v = (1 - 0.9) * 0.5**2
                 first_step = 0.001 * 0.5 / math.sqrt(v + 1e-7)
             """)

q2 = Question("nb08.q2", _judge_hidden_bias_gradient, answer_name="hidden_bias_gradient", expects="your function",
             hint="Start from d_scores = (softmax(scores) - y) / len(x) as above; d_scores @ W2.T is how the loss "
                  "changes with each hidden output; relu's slope is 1 where x @ W1 + b1 > 0 and 0 elsewhere; a "
                  "bias's gradient sums over the batch.",
             explanation="backpropagation through the output layer (W2.T), then relu (its slope), then the sum "
                         "over the batch that every bias gradient is.",
             solution_code="""
                 import numpy as np

                 def hidden_bias_gradient(x, y, W1, b1, W2, b2):
                     pre = x @ W1 + b1
                     hidden = np.maximum(pre, 0)
                     scores = hidden @ W2 + b2
                     exp = np.exp(scores - scores.max(axis=1, keepdims=True))
                     d_scores = (exp / exp.sum(axis=1, keepdims=True) - y) / len(x)
                     d_hidden = d_scores @ W2.T
                     return (d_hidden * (pre > 0)).sum(axis=0)
             """)
