"""Exercises of notebook 08 (under the hood): ``nb08.q1`` an RMSprop step, ``nb08.q2`` the softmax crossentropy gradient."""
from __future__ import annotations

import functools
from typing import Any, Callable

import numpy as np

from helpers.exercises.core import (Feedback, Question, Rejected, right, wrong, as_function, call_learner,
                                    as_float_array, close)

RMSPROP_DEFAULTS = {"learning_rate": 0.001, "rho": 0.9, "epsilon": 1e-7}


def _rmsprop(w: np.ndarray, g: np.ndarray, v: np.ndarray, learning_rate: float, rho: float, epsilon: float, *,
             sign: float = -1.0, square: bool = True, swap_rho: bool = False, old_v_in_step: bool = False,
             root: bool = True, epsilon_inside: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Keras 3's RMSprop step (no momentum, not centered), and the usual ways to get it wrong."""
    g_term = g ** 2 if square else g
    new_v = (1 - rho) * v + rho * g_term if swap_rho else rho * v + (1 - rho) * g_term
    average = v if old_v_in_step else new_v
    with np.errstate(invalid="ignore", divide="ignore"):
        if not root:
            denominator = average + epsilon
        elif epsilon_inside:
            denominator = np.sqrt(average + epsilon)
        else:
            denominator = np.sqrt(average) + epsilon
        return w + sign * learning_rate * g / denominator, new_v


RMSPROP_MISTAKES = [
    ({"root": False}, "you forgot the square root: divide by np.sqrt(new_v + epsilon)."),
    ({"old_v_in_step": True}, "you used the old v in the step: update v first, then divide by the square root "
                              "of the new v."),
    ({"sign": 1.0}, "wrong sign: subtract the step (w - ...); the gradient points uphill."),
    ({"square": False}, "you forgot to square the gradient: v is a running average of g**2."),
    ({"epsilon_inside": False}, "epsilon is outside the square root; Keras adds it inside, "
                                "np.sqrt(new_v + epsilon), which matters when v is near 0."),
    ({"swap_rho": True}, "rho and 1 - rho are swapped: the old v keeps the weight rho, the new g**2 gets 1 - rho."),
]


@functools.cache
def _rmsprop_cases() -> list[tuple[tuple[np.ndarray, np.ndarray, np.ndarray], dict[str, float]]]:
    """(w, g, v) and hyperparameters: defaults, other values, and v = 0 with a tiny gradient (epsilon shows)."""
    rng = np.random.default_rng(8)
    return [
        ((rng.normal(size=(3, 4)), rng.normal(size=(3, 4)), rng.uniform(0.01, 1.0, size=(3, 4))), {}),
        ((rng.normal(size=5), rng.normal(size=5), rng.uniform(0.01, 1.0, size=5)),
         {"learning_rate": 0.01, "rho": 0.8, "epsilon": 1e-6}),
        ((rng.normal(scale=0.01, size=6), rng.normal(scale=1e-4, size=6), np.zeros(6)), {}),
    ]


def _judge_rmsprop_step(answer: Any) -> Feedback:
    step = as_function(answer, "rmsprop_step")
    outputs = []
    for (w, g, v), hyper in _rmsprop_cases():
        result = call_learner(step, w.copy(), g.copy(), v.copy(), **hyper)
        expected_w, expected_v = _rmsprop(w, g, v, **{**RMSPROP_DEFAULTS, **hyper})
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            if isinstance(result, (tuple, list)):
                return wrong(f"the function returns {len(result)} values; return two: new_w, new_v.")
            if close(as_float_array(result, "the result"), expected_w):
                return wrong("the function returns only new_w; return both: return new_w, new_v.")
            return wrong("return a pair: return new_w, new_v.")
        new_w, new_v = (as_float_array(part, name) for part, name in zip(result, ("new_w", "new_v")))
        if close(new_w, expected_v) and close(new_v, expected_w):
            return wrong("new_w and new_v are swapped: return new_w first, then new_v.")
        if new_w.shape != w.shape or new_v.shape != v.shape:
            return wrong(f"new_w and new_v should have the shape of w, {w.shape}; yours have {new_w.shape} "
                          f"and {new_v.shape}.")
        outputs.append((new_w, new_v))

    def matches(defaults_only: bool = False, **flaws: Any) -> tuple[bool, bool]:
        """Whether the learner's new_w and new_v agree, on every case, with a step that has these flaws."""
        w_ok = v_ok = True
        for ((w, g, v), hyper), (new_w, new_v) in zip(_rmsprop_cases(), outputs):
            settings = RMSPROP_DEFAULTS if defaults_only else {**RMSPROP_DEFAULTS, **hyper}
            want_w, want_v = _rmsprop(w, g, v, **settings, **flaws)
            w_ok, v_ok = w_ok and close(new_w, want_w), v_ok and close(new_v, want_v)
        return w_ok, v_ok

    if all(matches()):
        return right("new_v = rho*v + (1-rho)*g**2 and new_w = w - learning_rate*g/sqrt(new_v + epsilon), "
                      "as Keras does it.")
    if all(matches(defaults_only=True)):
        return wrong("your function ignores its learning_rate, rho and epsilon arguments: use the parameters, "
                      "not fixed numbers.")
    for flaw, message in RMSPROP_MISTAKES:
        if all(matches(**flaw)):
            return wrong(message)
    for flaw, message in RMSPROP_MISTAKES:
        if flaw.keys() & {"square", "swap_rho"} and matches(**flaw)[1]:
            return wrong(message)
    if matches()[1]:
        return wrong("new_v is right, new_w is not: new_w = w - learning_rate * g / np.sqrt(new_v + epsilon).")
    return wrong("new_v is not right: it is a running average, rho * v + (1 - rho) * g**2.")


def _softmax(logits: np.ndarray, axis: int = -1) -> np.ndarray:
    exp = np.exp(logits - logits.max(axis=axis, keepdims=True))
    return exp / exp.sum(axis=axis, keepdims=True)


@functools.cache
def _gradient_cases() -> list[tuple[np.ndarray, np.ndarray]]:
    """(logits, one-hot labels): batch sizes differ from the class counts, so each mistake shows."""
    rng = np.random.default_rng(8)
    cases = []
    for batch, classes in ((5, 10), (8, 3)):
        logits = rng.normal(scale=2.0, size=(batch, classes))
        cases.append((logits, np.eye(classes)[rng.integers(0, classes, size=batch)]))
    return cases


GRADIENT_MISTAKES: list[tuple[str, Callable[[np.ndarray, np.ndarray], np.ndarray]]] = [
    ("the sign is flipped: the gradient is softmax(logits) - y, not y - softmax(logits).",
     lambda z, y: (y - _softmax(z)) / len(z)),
    ("you forgot the softmax: subtract y from the probabilities softmax(logits), not from the logits.",
     lambda z, y: (z - y) / len(z)),
    ("you forgot to divide by the batch size: the loss is the mean over the batch, as Keras computes it, "
     "so divide by len(logits).", lambda z, y: _softmax(z) - y),
    ("the sign is flipped (use softmax(logits) - y) and you forgot to divide by the batch size, len(logits).",
     lambda z, y: y - _softmax(z)),
    ("the softmax runs over the wrong axis: normalise each row, over the classes (axis=1, keepdims=True).",
     lambda z, y: (_softmax(z, axis=0) - y) / len(z)),
    ("you divided by the number of classes; the mean is over the batch, so divide by len(logits).",
     lambda z, y: (_softmax(z) - y) / z.shape[1]),
    ("you divided by the number of logits; the mean is over the examples only, so divide by len(logits).",
     lambda z, y: (_softmax(z) - y) / z.size),
]


def _judge_softmax_grad(answer: Any) -> Feedback:
    gradient = as_function(answer, "softmax_crossentropy_grad")
    outputs = []
    for logits, y in _gradient_cases():
        try:
            result = as_float_array(call_learner(gradient, logits.copy(), y.copy()), "the result")
        except Rejected as rejected:
            if "could not be broadcast" in rejected.feedback.message:
                raise Rejected(wrong(
                    f"{rejected.feedback.message}\nA sum over axis=1 drops that axis: shape {logits.shape} becomes "
                    f"{logits.shape[:1]}. Keep it with .sum(axis=1, keepdims=True), shape {(logits.shape[0], 1)}, "
                    "so each row is divided by its own sum.")) from None
            raise
        if result.shape != logits.shape:
            extra = " (don't average over the batch: keep one row per example)" if result.shape == logits.shape[1:] else ""
            return wrong(f"the gradient has shape {result.shape}; it needs one value per logit, "
                          f"shape {logits.shape} like logits{extra}.")
        outputs.append(result)

    def matches(formula: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> bool:
        return all(close(out, formula(z, y)) for (z, y), out in zip(_gradient_cases(), outputs))

    if matches(lambda z, y: (_softmax(z) - y) / len(z)):
        return right("(softmax(logits) - y) / batch_size: the gradient of the mean crossentropy.")
    for message, formula in GRADIENT_MISTAKES:
        if matches(formula):
            return wrong(message)
    return wrong("not the gradient yet: softmax each row, subtract the one-hot labels, divide by the batch size.")


q1 = Question("nb08.q1", _judge_rmsprop_step, answer_name="rmsprop_step", expects="your function",
             hint="First update v, the running average of g**2, with rho; then step w against g, divided by "
                  "np.sqrt(new_v + epsilon), the way Keras does.",
             explanation="Keras 3's RMSprop without momentum: keras/src/optimizers/rmsprop.py, update_step.",
             solution_code="""
                 import numpy as np

                 def rmsprop_step(w, g, v, learning_rate=0.001, rho=0.9, epsilon=1e-7):
                     new_v = rho * v + (1 - rho) * g**2
                     new_w = w - learning_rate * g / np.sqrt(new_v + epsilon)
                     return new_w, new_v
             """)

q2 = Question("nb08.q2", _judge_softmax_grad, answer_name="softmax_crossentropy_grad", expects="your function",
             hint="Softmax each row of logits (subtract the row's max before np.exp, for stability), subtract "
                  "the one-hot labels, and divide by the batch size.",
             explanation="for the mean crossentropy of softmax, the gradient is (p - y) / batch_size.",
             solution_code="""
                 import numpy as np

                 def softmax_crossentropy_grad(logits, y_onehot):
                     exp = np.exp(logits - logits.max(axis=1, keepdims=True))
                     probabilities = exp / exp.sum(axis=1, keepdims=True)
                     return (probabilities - y_onehot) / len(logits)
             """)
