"""Exercises of notebook 03 (compile): ``nb03.q1`` (a loss by hand) and ``nb03.q2`` (compile for integer labels)."""
from __future__ import annotations

import difflib
import math
import re
from typing import Any


from helpers.exercises.core import (Feedback, Question, Rejected, as_model, as_number, dense_stack_mistake, kind,
                                    known_mistake, right, show, wrong)

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


KERAS_CLASS_FOR_INTEGER_LABELS = "SparseCategoricalCrossentropy"
# What Keras reads as the accuracy of integer labels in compile(metrics=[...]).
ACCURACY_NAMES = {"accuracy", "acc", "sparse_categorical_accuracy"}


def _snake_case(name: str) -> str:
    """SparseCategoricalCrossentropy -> sparse_categorical_crossentropy (Keras's class and function names)."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def loss_name(loss: Any) -> tuple[str, str]:
    """(snake_case name, name as the learner gave it) of a loss given as a string, class, instance or function."""
    if isinstance(loss, str):
        return loss, loss
    if isinstance(loss, type):  # a loss class, e.g. keras.losses.SparseCategoricalCrossentropy
        return _snake_case(loss.__name__), loss.__name__
    if callable(loss):  # a loss instance (it has .name) or a loss function (it has __name__)
        given = getattr(loss, "name", None) or getattr(loss, "__name__", None) or type(loss).__name__
        return _snake_case(given), given
    raise Rejected(wrong(f"the loss is {kind(loss)}; give compile(loss=...) a loss name in quotes, "
                         "like \"categorical_crossentropy\"."))


def loss_mistake(loss: Any) -> Feedback | None:
    """None for the crossentropy of integer labels; otherwise the feedback naming why ``loss`` does not fit them."""
    name, given = loss_name(loss)
    if isinstance(loss, str) and loss == KERAS_CLASS_FOR_INTEGER_LABELS:
        name = LOSS_FOR_INTEGER_LABELS  # Keras also takes a loss class's name as the string
    if name == LOSS_FOR_INTEGER_LABELS:
        if getattr(loss, "from_logits", False) or (getattr(loss, "fn", None) is not None
                                                   and getattr(loss, "_fn_kwargs", {}).get("from_logits")):
            return wrong("from_logits=True says the outputs are raw scores (logits), but this network ends in a "
                         "softmax, which already makes probabilities: leave from_logits out (it is False).")
        return None
    if name.strip() != name and _snake_case(name.strip()) == LOSS_FOR_INTEGER_LABELS:
        return wrong("right loss, but remove the spaces around the name: Keras needs it exactly.")
    if name.lower() == LOSS_FOR_INTEGER_LABELS or _snake_case(name) == LOSS_FOR_INTEGER_LABELS:
        return wrong(f"Keras does not know {given!r}: write the loss as {LOSS_FOR_INTEGER_LABELS!r}, or as the class "
                     f"name {KERAS_CLASS_FOR_INTEGER_LABELS!r}, letter for letter.")
    name = _snake_case(name.strip())
    compact = name.replace("_", "")
    if compact == LOSS_FOR_INTEGER_LABELS.replace("_", ""):
        return wrong(f"right loss, but spell it as Keras does, with underscores: {LOSS_FOR_INTEGER_LABELS!r}.")
    if compact == "categoricalcrossentropy":
        name = "categorical_crossentropy"
    if name == "categorical_crossentropy":
        return wrong("'categorical_crossentropy' needs one-hot labels; with the integer labels 0-9, "
                     "use its sparse variant.")
    if "int" in name and "crossentropy" in name.replace("cross_entropy", "crossentropy"):
        return wrong(f"Keras has no {given!r}: the crossentropy for integer labels is the 'sparse' one.")
    if name == "binary_crossentropy":
        return wrong("'binary_crossentropy' is for two classes (yes/no); MNIST has 10 classes given as integers.")
    if name in REGRESSION_LOSSES:
        return wrong(f"{given!r} is a regression loss (for predicting numbers); this is classification into 10 classes.")
    if name in KERAS_LOSS_NAMES:
        return wrong(f"{given!r} is a Keras loss, but not one for integer class labels.")
    # suggest a close name, but never the one-hot loss the learner must move away from
    candidates = [n for n in KERAS_LOSS_NAMES if n != "categorical_crossentropy"]
    closest = difflib.get_close_matches(name, candidates, n=1, cutoff=0.6)
    if closest:
        return wrong(f"{given!r} is not a Keras loss name; did you mean {closest[0]!r}?")
    return wrong(f"{given!r} is not a Keras loss name; look for the crossentropy meant for integer labels.")


def _judge_compiled_for_integers(answer: Any) -> Feedback:
    model = as_model(answer, "your compiled model")
    mistake = dense_stack_mistake(model, hidden_units=512, input_shape_expected=(784,))
    if mistake:
        return mistake
    if not getattr(model, "compiled", False) or getattr(model, "loss", None) is None:
        return wrong("the model is not compiled yet: call model_int.compile(optimizer=..., loss=..., metrics=...) "
                     "before passing it.")
    mistake = loss_mistake(model.loss)
    if mistake:
        return mistake
    if isinstance(model.loss, type):
        return wrong(f"right loss, but this is the class itself; create the loss with (): {model.loss.__name__}().")
    optimizer = type(model.optimizer).__name__
    if optimizer != "RMSprop":
        return wrong(f"the loss is right, but the optimizer is {optimizer}; keep the reference one, \"rmsprop\".")
    metrics = getattr(getattr(model, "_compile_metrics", None), "_user_metrics", None) or []
    if not any(m in ACCURACY_NAMES or getattr(m, "name", None) in ACCURACY_NAMES for m in metrics):
        return wrong("the loss is right; add metrics=[\"accuracy\"] so training reports the accuracy.")
    return right(f"compiled with {LOSS_FOR_INTEGER_LABELS!r}: this model trains on the labels 0-9 as they are, "
                 "no one-hot needed.")


q1 = Question("nb03.q1", _judge_loss_by_hand, answer_name="loss_by_hand", expects="the loss (a number)",
             hint="With a one-hot label, only the true class's term is left: minus the natural logarithm "
                  "(np.log) of the probability predicted for class 1.",
             explanation="-sum(y * ln p) keeps only the true class, so the loss is -ln(0.7).",
             solution_code="""
                 import numpy as np
                 loss_by_hand = -np.log(0.7)  # the same as -np.sum(np.array([0, 1, 0]) * np.log([0.1, 0.7, 0.2]))
             """)

q2 = Question("nb03.q2", _judge_compiled_for_integers, answer_name="model_int", expects="your compiled model",
             hint="Build the network as above, then compile it with the same optimizer and metrics, and the loss "
                  "that reads integer labels (section 'Integer labels').",
             explanation="the same network and compile call, with the sparse variant of the loss.",
             solution_code="""
                 model_int = keras.Sequential([
                     keras.Input(shape=(784,)),
                     keras.layers.Dense(512, activation="relu"),
                     keras.layers.Dense(10, activation="softmax"),
                 ])
                 model_int.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
             """,
             if_none="(model.compile() and model.summary() return None: pass the model itself.)")
