"""Exercises of notebook 03 (loss): ``nb03.q1`` and ``nb03.q2``."""
from __future__ import annotations

import difflib
import math
import re
from typing import Any


from helpers.exercises.core import Feedback, Question, Rejected, right, wrong, show, kind, as_number, known_mistake

PREDICTION, TRUE_CLASS = (0.1, 0.7, 0.2), 1


def _judge_loss_by_hand(answer: Any) -> Feedback:
    value = as_number(answer)
    p = PREDICTION[TRUE_CLASS]
    expected = -math.log(p)
    if math.isclose(value, expected, abs_tol=1e-3):
        return right(f"-ln({p}) = {expected:.5f}: only the true class's term survives the one-hot label.")
    known = [
        (-math.log10(p), f"that is -log10({p}); crossentropy uses the natural logarithm, np.log."),
        (-math.log2(p), f"that is -log2({p}); crossentropy uses the natural logarithm, np.log."),
        (math.log(p), "the sign is wrong: you forgot the minus sign; the loss is -ln(p), which is positive."),
        (-sum(math.log(q) for q in PREDICTION), "you summed over all classes; the one-hot label keeps only "
                                                 f"the true class's term, -ln({p})."),
        (-sum(math.log(q) for q in PREDICTION) / len(PREDICTION),
         "you averaged over all classes; the one-hot label keeps only the true class's term."),
        (p, f"{p} is the predicted probability itself; the loss is minus its natural logarithm."),
        (1 - p, f"1 - {p} is not the crossentropy; the loss is minus the natural logarithm of {p}."),
    ]
    known += [(-math.log(q), f"that is -ln({q}), the probability of class {k}; "
                             f"the true class is {TRUE_CLASS}, predicted with {p}.")
              for k, q in enumerate(PREDICTION) if k != TRUE_CLASS]
    found = known_mistake(value, known, tolerance=1e-3)
    if found:
        return found
    if math.isclose(value, expected, abs_tol=1e-2):
        return wrong(f"{show(value)} is close: give at least three decimals.")
    return wrong(f"{show(value)} is not it: take minus the natural log of the true class's probability.")


LOSS_FOR_INTEGER_LABELS = "sparse_categorical_crossentropy"
KERAS_LOSS_NAMES = (  # strings keras.losses.get accepts (tests check each one)
    "binary_crossentropy", "binary_focal_crossentropy", "categorical_crossentropy",
    "categorical_focal_crossentropy", "categorical_hinge", "cosine_similarity", "hinge", "huber",
    "kl_divergence", "log_cosh", "mean_absolute_error", "mean_absolute_percentage_error",
    "mean_squared_error", "mean_squared_logarithmic_error", "poisson", "sparse_categorical_crossentropy",
    "squared_hinge", "mse", "mae", "mape", "msle",
)
REGRESSION_LOSSES = {"mse", "mae", "mape", "msle", "mean_squared_error", "mean_absolute_error",
                     "mean_absolute_percentage_error", "mean_squared_logarithmic_error", "huber", "log_cosh"}


def _snake_case(name: str) -> str:
    """SparseCategoricalCrossentropy -> sparse_categorical_crossentropy (Keras's class and function names)."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def _judge_loss_name(answer: Any) -> Feedback:
    if isinstance(answer, str):
        name, given = answer, answer
    elif isinstance(answer, type):  # a loss class, e.g. keras.losses.SparseCategoricalCrossentropy
        name, given = _snake_case(answer.__name__), answer.__name__
    elif callable(answer):  # a loss instance (it has .name) or a loss function (it has __name__)
        given = getattr(answer, "name", None) or getattr(answer, "__name__", None) or type(answer).__name__
        name = _snake_case(given)
    else:
        raise Rejected(wrong(f"this is {kind(answer)}; give the loss name as a string in quotes."))
    if name in (LOSS_FOR_INTEGER_LABELS, "SparseCategoricalCrossentropy"):
        return right(f"{LOSS_FOR_INTEGER_LABELS!r} takes the integer labels 0..9 as they are: no to_categorical needed.")
    if name.strip() != name and name.strip() in (LOSS_FOR_INTEGER_LABELS, "SparseCategoricalCrossentropy"):
        return wrong("right loss, but remove the spaces around the name: Keras needs it exactly.")
    if name.lower() == LOSS_FOR_INTEGER_LABELS:
        return wrong("right loss, but Keras loss names are case-sensitive: write it all in lower case.")
    name = _snake_case(name.strip())
    if name == "categorical_crossentropy":
        return wrong("'categorical_crossentropy' needs one-hot labels; find its variant for integer labels.")
    if name == "binary_crossentropy":
        return wrong("'binary_crossentropy' is for two classes (yes/no); MNIST has 10 classes given as integers.")
    if name in REGRESSION_LOSSES:
        return wrong(f"{given!r} is a regression loss (for predicting numbers); this is classification into 10 classes.")
    if name in KERAS_LOSS_NAMES:
        return wrong(f"{given!r} is a Keras loss, but not the one for integer class labels.")
    closest = difflib.get_close_matches(name, KERAS_LOSS_NAMES, n=1, cutoff=0.6)
    if closest:
        return wrong(f"{given!r} is not a Keras loss name; did you mean {closest[0]!r}?")
    return wrong(f"{given!r} is not a Keras loss name; look for the crossentropy meant for integer labels.")


q1 = Question("nb03.q1", _judge_loss_by_hand, answer_name="loss_by_hand", expects="the loss (a number)",
             hint="With a one-hot label, only the true class's term is left: minus the natural logarithm "
                  "(np.log) of the probability predicted for class 1.",
             explanation="-sum(y * ln p) keeps only the true class, so the loss is -ln(0.7).",
             solution_code="""
                 import numpy as np
                 loss_by_hand = -np.log(0.7)  # the same as -np.sum(np.array([0, 1, 0]) * np.log([0.1, 0.7, 0.2]))
             """)

q2 = Question("nb03.q2", _judge_loss_name, answer_name="loss_name", expects="the loss name (a string, in quotes)",
             hint="Keras has a variant of 'categorical_crossentropy' for integer labels; its name adds a prefix "
                  "meaning the labels are not spread out one-hot.",
             explanation="the sparse variant of categorical crossentropy reads integer labels directly.",
             solution_code='loss_name = "sparse_categorical_crossentropy"')
