"""Exercises of notebook 03 (compile): ``nb03.q1`` (a loss by hand), ``nb03.q2`` (compile for integer labels) and
``nb03.q3`` (the mean sparse crossentropy of a batch, in NumPy)."""
from __future__ import annotations

import difflib
import math
from typing import Any

import numpy as np

from helpers.exercises.core import (Feedback, Question, as_float_array, as_function, as_model, as_number, call_learner,
                                    dense_stack_mistake, judged_outputs, known_mistake, loss_name, right, show,
                                    snake_case, wrong)

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


def loss_mistake(loss: Any) -> Feedback | None:
    """None for the crossentropy of integer labels; otherwise the feedback naming why ``loss`` does not fit them."""
    name, given = loss_name(loss)
    if name == LOSS_FOR_INTEGER_LABELS:
        if getattr(loss, "from_logits", False) or (getattr(loss, "fn", None) is not None
                                                   and getattr(loss, "_fn_kwargs", {}).get("from_logits")):
            return wrong("from_logits=True says the outputs are raw scores (logits), but this network ends in a "
                         "softmax, which already makes probabilities: leave from_logits out (it is False).")
        return None
    if name.strip() != name and snake_case(name.strip()) == LOSS_FOR_INTEGER_LABELS:
        return wrong("right loss, but remove the spaces around the name: Keras needs it exactly.")
    if name.lower() == LOSS_FOR_INTEGER_LABELS or snake_case(name) == LOSS_FOR_INTEGER_LABELS:
        return wrong(f"Keras does not know {given!r}: write the loss as {LOSS_FOR_INTEGER_LABELS!r}, or as the class "
                     f"name {KERAS_CLASS_FOR_INTEGER_LABELS!r}, letter for letter.")
    name = snake_case(name.strip())
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


def _batch_cases() -> list[tuple[np.ndarray, np.ndarray]]:
    """(probabilities, integer labels): batches of other sizes than 10, so averaging over classes shows."""
    rng = np.random.default_rng(3)
    cases = []
    for batch, classes in ((4, 10), (7, 3)):
        scores = rng.normal(scale=1.5, size=(batch, classes))
        probabilities = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
        cases.append((probabilities, rng.integers(0, classes, size=batch)))
    return cases


def _true_class_probabilities(p: np.ndarray, labels: np.ndarray) -> np.ndarray:
    return p[np.arange(len(labels)), labels]


BATCH_LOSS_MISTAKES = [
    (lambda p, t: -np.sum(np.log(_true_class_probabilities(p, t))),
     "that is the sum over the batch; Keras minimises the mean, so divide by the number of images."),
    (lambda p, t: np.mean(np.log(_true_class_probabilities(p, t))),
     "the sign is wrong: the loss is minus the log of the probability, a positive number."),
    (lambda p, t: -np.mean(np.log10(_true_class_probabilities(p, t))),
     "that uses log10; crossentropy uses the natural logarithm, np.log."),
    (lambda p, t: -np.mean(np.log(p[:, t])),
     "p[:, labels] picks every label's column for every image; pair image i with its own label: "
     "p[np.arange(len(labels)), labels]."),
    (lambda p, t: -np.mean(np.log(p)),
     "that averages the log of every probability; only the true class's probability counts for each image."),
    (lambda p, t: -np.mean(np.log(p[np.arange(len(t)), t - 1])),
     "off by one class: the label is the column itself (label 3 is column 3, counting from 0)."),
]


def _judge_batch_loss(answer: Any) -> Feedback:
    function = as_function(answer, "mean_sparse_crossentropy")
    results = []
    for p, labels in _batch_cases():
        result = as_float_array(call_learner(function, p.copy(), labels.copy()), "the result")
        if result.size != 1:
            return wrong(f"the function returns {result.size} numbers (shape {result.shape}); return one number, "
                         "the mean over the batch.")
        results.append(float(result.reshape(-1)[0]))

    def matches(formula) -> bool:
        with np.errstate(all="ignore"):
            return all(math.isclose(r, float(formula(p, t)), rel_tol=1e-5, abs_tol=1e-7)
                       for r, (p, t) in zip(results, _batch_cases()))

    return judged_outputs(
        matches, lambda p, t: -np.mean(np.log(_true_class_probabilities(p, t))), BATCH_LOSS_MISTAKES,
        "minus the mean, over the images, of the log of the probability each gave its true class: "
        "what keras.losses.sparse_categorical_crossentropy computes, averaged as fit does.",
        "not it yet: for each image take the probability of its true class, p[i, labels[i]], then minus "
        "the mean of their natural logs.")


q3 = Question("nb03.q3", _judge_batch_loss, answer_name="mean_sparse_crossentropy", expects="your function",
             hint="For image i the loss is -ln(p[i, labels[i]]). NumPy picks one entry per row with "
                  "p[np.arange(len(labels)), labels]; then take the mean.",
             explanation="the sparse crossentropy of each image, then the mean over the batch.",
             solution_code="""
                 import numpy as np

                 def mean_sparse_crossentropy(probabilities, labels):
                     true_class = probabilities[np.arange(len(labels)), labels]
                     return -np.mean(np.log(true_class))
             """)
