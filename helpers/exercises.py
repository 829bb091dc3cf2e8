"""Self-checking exercises for the notebooks, in the manner of Kaggle Learn.

    from helpers.exercises import nb01
    nb01.q1.check(answer)   # one or two lines: ✔ Correct / ✘ Not quite / • Not answered yet
    nb01.q1.hint()
    nb01.q1.solution()

Each question is a judge function that inspects the answer and returns a
``Feedback`` naming the likely mistake.  The prompts live in the notebooks'
markdown.  NumPy only (no TensorFlow import), so checking is instant; the
notebook 01 and 04 checks read MNIST once, through ``helpers.data``.
"""
from __future__ import annotations

import contextlib
import difflib
import functools
import io
import math
import numbers
import re
import textwrap
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any, Callable

import numpy as np

CORRECT, INCORRECT, UNANSWERED = "correct", "incorrect", "unanswered"
PREFIXES = {CORRECT: "✔ Correct: ", INCORRECT: "✘ Not quite: ", UNANSWERED: "• Not answered yet: "}


@dataclass(frozen=True)
class Feedback:
    """What ``check`` prints: a status (correct, incorrect, unanswered) and a one- or two-line message."""

    status: str
    message: str

    def __str__(self) -> str:
        return PREFIXES[self.status] + self.message


def _right(message: str) -> Feedback:
    return Feedback(CORRECT, message)


def _wrong(message: str) -> Feedback:
    return Feedback(INCORRECT, message)


class _Rejected(Exception):
    """Stops a judge early with feedback: an answer of the wrong type, or a learner's function that fails."""

    def __init__(self, feedback: Feedback):
        super().__init__(feedback.message)
        self.feedback = feedback


class Question:
    """One exercise: ``check(answer)``, ``hint()`` and ``solution()``; ``evaluate`` returns what ``check`` prints."""

    def __init__(self, name: str, judge: Callable[[Any], Feedback], *, answer_name: str,
                 expects: str, hint: str, solution_code: str, explanation: str):
        self.name = name
        self.answer_name = answer_name  # the variable (or function) the notebook's code cell fills in
        self.solution_code = textwrap.dedent(solution_code).strip()
        self._judge = judge
        self._expects = expects
        self._hint = hint
        self._explanation = explanation

    def evaluate(self, answer: Any) -> Feedback:
        """The feedback for ``answer``; never raises for None or an answer of the wrong type."""
        if answer is None:
            return Feedback(UNANSWERED, f"replace None with {self._expects} and run the cell again.")
        try:
            return self._judge(answer)
        except _Rejected as rejected:
            return rejected.feedback

    def check(self, answer: Any) -> None:
        """Print one or two lines of feedback (and return None, so the notebook shows nothing more)."""
        print(self.evaluate(answer))

    def hint(self) -> None:
        print(f"Hint: {self._hint}")

    def solution(self) -> None:
        print(f"Solution: {self._explanation}")
        print(textwrap.indent(self.solution_code, "    "))

    def __repr__(self) -> str:
        return f"<exercise {self.name}: .check({self.answer_name}), .hint(), .solution()>"


# ---------------------------------------------------------------- reading answers

def _show(value: float) -> str:
    """A number as a learner would write it: 6265, not 6265.0."""
    return str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else f"{value:.6g}"


def _kind(answer: Any) -> str:
    """'an int', 'a list': what a learner's answer is, for messages."""
    if isinstance(answer, np.ndarray):
        return "a NumPy array"
    name = "class" if isinstance(answer, type) else type(answer).__name__
    return f"{'an' if name[:1].lower() in 'aeiou' else 'a'} {name}"


def _number(answer: Any) -> float:
    """The answer as one finite number, or _Rejected with a clear message."""
    if isinstance(answer, (bool, np.bool_)):
        raise _Rejected(_wrong(f"{answer} is a truth value; the answer is a number."))
    if isinstance(answer, str):
        try:
            float(answer.replace(",", "").replace("_", ""))
        except ValueError:
            raise _Rejected(_wrong(f"{answer!r} is text; the answer is a number (no quotes).")) from None
        raise _Rejected(_wrong(f"{answer!r} is text, because of the quotes; write the number without them."))
    if isinstance(answer, numbers.Real):
        value = float(answer)
    elif hasattr(answer, "__array__") and not isinstance(answer, (list, tuple)):
        array = np.asarray(answer)
        if array.size != 1 or not np.issubdtype(array.dtype, np.number):
            raise _Rejected(_wrong(f"this is an array of shape {array.shape}; the answer is a single number."))
        value = float(array.reshape(-1)[0].real)
    elif isinstance(answer, (list, tuple)):
        raise _Rejected(_wrong(f"this is {_kind(answer)} of {len(answer)} values; "
                               "the answer is a single number."))
    else:
        raise _Rejected(_wrong(f"this is {_kind(answer)}; the answer is a single number."))
    if not math.isfinite(value):
        raise _Rejected(_wrong(f"{value} is not a finite number."))
    return value


def _known(value: float, mistakes: list[tuple[float, str]], tolerance: float = 0.0,
           rel_tolerance: float = 1e-9) -> Feedback | None:
    """The feedback for the first known wrong answer that ``value`` matches, if any."""
    for wrong_value, message in mistakes:
        if math.isclose(value, wrong_value, rel_tol=rel_tolerance, abs_tol=tolerance):
            return _wrong(message)
    return None


def _array(answer: Any, what: str) -> np.ndarray:
    """The answer as a NumPy array (tensors convert), or _Rejected for lists and other types."""
    if isinstance(answer, np.ndarray):
        return answer
    if isinstance(answer, (list, tuple)):
        raise _Rejected(_wrong(f"this is a Python {type(answer).__name__}; {what} should be a NumPy array "
                               "(keep working with NumPy, e.g. .reshape and .astype)."))
    if hasattr(answer, "__array__") and not isinstance(answer, (str, bytes)):
        return np.asarray(answer)
    raise _Rejected(_wrong(f"this is {_kind(answer)}; {what} should be a NumPy array."))


def _function(answer: Any, name: str) -> Callable:
    if callable(answer):
        return answer
    raise _Rejected(_wrong(f"this is {_kind(answer)}, not a function: pass the function itself, "
                           f"{name}, without parentheses."))


def _call(function: Callable, *args: Any, **kwargs: Any) -> Any:
    """Call the learner's function; its errors and a None result become feedback, never a traceback."""
    name = getattr(function, "__name__", "your function")
    try:
        with np.errstate(all="ignore"):  # the feedback names the problem; NumPy's warnings would only add noise
            result = function(*args, **kwargs)
    except Exception as err:  # any error in the learner's code is reported, not raised
        detail = (str(err).splitlines() or [""])[0]
        detail = detail if len(detail) <= 120 else detail[:119] + "…"
        advice = ("\nKeep the def line as the exercise gives it, with all its parameters."
                  if isinstance(err, TypeError) and "argument" in detail else "")
        raise _Rejected(_wrong(f"{name} raised {type(err).__name__}: {detail}{advice}")) from None
    if result is None:
        raise _Rejected(Feedback(UNANSWERED, f"{name} returns None: replace `return None` with your code "
                                             "and run the cell again."))
    return result


def _float_array(value: Any, what: str) -> np.ndarray:
    try:
        return np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise _Rejected(_wrong(f"{what} is {_kind(value)}, not an array of numbers.")) from None


def _close(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=1e-5, atol=1e-9, equal_nan=True))


@functools.cache
def _mnist() -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """MNIST as the notebooks load it, read once; the loader's progress line is not repeated under every check."""
    from helpers.data import load_mnist

    with contextlib.redirect_stdout(io.StringIO()):
        return load_mnist()


@functools.cache
def _x_test_prepared() -> np.ndarray:
    (_, _), (x_test, _) = _mnist()
    return x_test.reshape(len(x_test), -1).astype("float32") / 255


# ---------------------------------------------------------------- nb01: the data

def _judge_sevens(answer: Any) -> Feedback:
    value = _number(answer)
    (x_train, y_train), (_, y_test) = _mnist()
    train_counts, test_counts = np.bincount(y_train, minlength=10), np.bincount(y_test, minlength=10)
    if value == train_counts[7]:
        return _right(f"{train_counts[7]:,} of the {len(y_train):,} training images are labelled 7.")
    known = [(test_counts[7], f"{test_counts[7]} is the number of sevens in the test set; count them in y_train."),
             (len(y_train), f"{len(y_train)} is the number of all training images; count only the labels equal to 7.")]
    known += [(count, f"{count} is how many training images are labelled {digit}, not 7.")
              for digit, count in enumerate(train_counts) if digit != 7]
    known += [(count, f"{count} is how many test images are labelled {digit}; count the 7s in y_train.")
              for digit, count in enumerate(test_counts) if digit != 7]
    return _known(value, known) or _wrong(f"{_show(value)} is not the number of 7s in y_train; count the labels equal to 7.")


def _judge_test_shape(answer: Any) -> Feedback:
    if isinstance(answer, np.ndarray):
        raise _Rejected(_wrong("this is the array itself; its shape is x_test.shape."))
    if isinstance(answer, str):
        raise _Rejected(_wrong(f"{answer!r} is text; give the shape as a tuple of numbers, like x_test.shape."))
    if not isinstance(answer, (tuple, list)):
        if isinstance(answer, numbers.Number):
            raise _Rejected(_wrong(f"{answer} is a single number; a shape has one number per axis, like x_test.shape."))
        raise _Rejected(_wrong(f"this is {_kind(answer)}; give a tuple of whole numbers, like x_test.shape."))
    if not all(isinstance(n, numbers.Integral) and not isinstance(n, (bool, np.bool_)) for n in answer):
        raise _Rejected(_wrong(f"{answer!r}: a shape holds whole numbers only, like x_test.shape."))
    shape = tuple(int(n) for n in answer)
    (x_train, y_train), (x_test, y_test) = _mnist()
    if shape == x_test.shape:
        note = " (a list works here, though .shape gives a tuple)" if isinstance(answer, list) else ""
        return _right(f"{shape}: {shape[0]} test images of {shape[1]} x {shape[2]} pixels{note}.")
    images, pixels = len(x_test), x_test.shape[1] * x_test.shape[2]
    return {
        x_train.shape: _wrong(f"{x_train.shape} is the shape of x_train, the training set; the question asks for x_test."),
        (images, pixels): _wrong(f"{(images, pixels)} is the shape after preprocessing (notebook 04); "
                                 "x_test as loaded keeps each image as 28 x 28."),
        x_test.shape[1:]: _wrong(f"{x_test.shape[1:]} is the shape of one image; x_test holds all the test images."),
        y_test.shape: _wrong(f"{y_test.shape} is the shape of y_test, the labels; the question asks for the images."),
        y_train.shape: _wrong(f"{y_train.shape} is the shape of y_train; the question asks for x_test."),
        x_test.shape[::-1]: _wrong("the axes are in the wrong order: the first axis counts the images."),
    }.get(shape, _wrong(f"{shape} is not the shape of x_test; print x_test.shape to see it."))


# ---------------------------------------------------------------- nb02: parameters

def _judge_dense_256(answer: Any) -> Feedback:
    value = _number(answer)
    inputs, units = 784, 256
    expected = inputs * units + units
    if value == expected:
        return _right(f"{inputs} x {units} weights + {units} biases = {expected}.")
    known = [
        (inputs * units, f"{inputs * units} counts the weights only: you forgot the {units} biases, one per unit."),
        (inputs * units + inputs, "that adds one bias per input; there is one bias per unit (256), not per input (784)."),
        (inputs * units + 2 * units, f"that counts {2 * units} biases; a Dense({units}) layer has one bias per unit: {units}."),
        (inputs * 512 + 512, f"{inputs * 512 + 512} is the reference 512-unit hidden layer; this layer has {units} units."),
        (expected + units * 10 + 10, "that includes a 10-unit output layer; count only the Dense(256) layer."),
        (inputs + units, "that adds inputs and units; every unit has one weight for each input, so multiply them."),
    ]
    found = _known(value, known)
    if found:
        return found
    if abs(value - expected) <= 0.02 * expected:
        return _wrong(f"{_show(value)} is close: check the biases (one per unit).")
    return _wrong(f"{_show(value)} is not it: count one weight per input for each unit, plus the biases.")


def _judge_total_params(answer: Any) -> Feedback:
    value = _number(answer)
    hidden, output = 784 * 512 + 512, 512 * 10 + 10
    expected = hidden + output
    if value == expected:
        return _right(f"{hidden} (hidden) + {output} (output) = {expected}, the total model.summary() shows.")
    known = [
        (784 * 512 + 512 * 10, f"{784 * 512 + 512 * 10} counts the weights only: you forgot the biases (512 + 10)."),
        (hidden, f"{hidden} is the hidden layer alone; add the output layer."),
        (output, f"{output} is the output layer alone; add the hidden layer."),
        (hidden + 512 * 10, "close: check the biases: you left out the output layer's 10 biases."),
        (784 * 512 + output, "close: check the biases: you left out the hidden layer's 512 biases."),
        (784 + 512 + 10, f"{784 + 512 + 10} is the number of neurons; the question asks for parameters (weights and biases)."),
        (784 * 256 + 256, f"{784 * 256 + 256} is the Dense(256) layer of exercise 1; count the reference network."),
    ]
    found = _known(value, known)
    if found:
        return found
    if abs(value - expected) <= 0.01 * expected:
        return _wrong(f"{_show(value)} is close: check the biases (one per unit, in both layers).")
    return _wrong(f"{_show(value)} is not it: add up weights and biases of both Dense layers.")


# ---------------------------------------------------------------- nb03: loss

PREDICTION, TRUE_CLASS = (0.1, 0.7, 0.2), 1


def _judge_loss_by_hand(answer: Any) -> Feedback:
    value = _number(answer)
    p = PREDICTION[TRUE_CLASS]
    expected = -math.log(p)
    if math.isclose(value, expected, abs_tol=1e-3):
        return _right(f"-ln({p}) = {expected:.5f}: only the true class's term survives the one-hot label.")
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
    found = _known(value, known, tolerance=1e-3)
    if found:
        return found
    if math.isclose(value, expected, abs_tol=1e-2):
        return _wrong(f"{_show(value)} is close: give at least three decimals.")
    return _wrong(f"{_show(value)} is not it: take minus the natural log of the true class's probability.")


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
        raise _Rejected(_wrong(f"this is {_kind(answer)}; give the loss name as a string in quotes."))
    if name in (LOSS_FOR_INTEGER_LABELS, "SparseCategoricalCrossentropy"):
        return _right(f"{LOSS_FOR_INTEGER_LABELS!r} takes the integer labels 0..9 as they are: no to_categorical needed.")
    if name.strip() != name and name.strip() in (LOSS_FOR_INTEGER_LABELS, "SparseCategoricalCrossentropy"):
        return _wrong("right loss, but remove the spaces around the name: Keras needs it exactly.")
    if name.lower() == LOSS_FOR_INTEGER_LABELS:
        return _wrong("right loss, but Keras loss names are case-sensitive: write it all in lower case.")
    name = _snake_case(name.strip())
    if name == "categorical_crossentropy":
        return _wrong("'categorical_crossentropy' needs one-hot labels; find its variant for integer labels.")
    if name == "binary_crossentropy":
        return _wrong("'binary_crossentropy' is for two classes (yes/no); MNIST has 10 classes given as integers.")
    if name in REGRESSION_LOSSES:
        return _wrong(f"{given!r} is a regression loss (for predicting numbers); this is classification into 10 classes.")
    if name in KERAS_LOSS_NAMES:
        return _wrong(f"{given!r} is a Keras loss, but not the one for integer class labels.")
    closest = difflib.get_close_matches(name, KERAS_LOSS_NAMES, n=1, cutoff=0.6)
    if closest:
        return _wrong(f"{given!r} is not a Keras loss name; did you mean {closest[0]!r}?")
    return _wrong(f"{given!r} is not a Keras loss name; look for the crossentropy meant for integer labels.")


# ---------------------------------------------------------------- nb04: preprocessing

def _judge_x_test_prepared(answer: Any) -> Feedback:
    x = _array(answer, "the prepared x_test")
    (x_train, _), (x_test, _) = _mnist()
    images, pixels = len(x_test), x_test.shape[1] * x_test.shape[2]
    if x.shape != (images, pixels):
        if x.ndim >= 1 and x.shape[0] == len(x_train):
            return _wrong(f"this has {len(x_train)} rows: it is the training set; prepare x_test ({images} images).")
        if x.shape == x_test.shape:
            return _wrong(f"the shape is still {x_test.shape}: you forgot to reshape; "
                          f"flatten each image with .reshape({images}, {pixels}).")
        if x.shape == (pixels, images):
            return _wrong(f"the shape {x.shape} is transposed: one row per image, .reshape({images}, {pixels}).")
        return _wrong(f"the shape is {x.shape}; expected {(images, pixels)}, one row of {pixels} pixels per image.")
    if not np.issubdtype(x.dtype, np.floating):
        if np.issubdtype(x.dtype, np.integer) and x.max() <= 1:
            return _wrong(f"the values are {x.dtype} 0s and 1s: converting to integers after dividing cut off the "
                          "fractions; use .astype('float32') / 255.")
        if np.issubdtype(x.dtype, np.integer):
            return _wrong(f"the values are still {x.dtype} (whole numbers): convert with .astype('float32'), "
                          "then divide by 255.")
        return _wrong(f"the values are {x.dtype}; the network needs .astype('float32') values, divided by 255.")
    top, bottom = float(x.max()), float(x.min())
    if top > 1:
        if math.isclose(top, 255):
            return _wrong("the values go up to 255: you forgot to scale; divide by 255 to bring them into [0, 1].")
        return _wrong(f"the values go up to {top:g}; they should lie in [0, 1]: divide by 255.")
    if bottom < 0:
        return _wrong(f"some values are negative ({bottom:g}); only divide by 255, so they lie in [0, 1].")
    expected = _x_test_prepared()
    if x.dtype.itemsize < 4 and np.allclose(x, expected, rtol=0, atol=1e-3):
        return _wrong(f"{x.dtype} is too coarse for the network's arithmetic: use .astype('float32'), "
                      "what Keras computes in.")
    if not np.allclose(x, expected, rtol=0, atol=1e-6):
        if np.allclose(x, expected * (255 / 256), rtol=0, atol=1e-6):
            return _wrong("you scaled by 256; the brightest pixel is 255, so divide by 255 to map it to exactly 1.")
        return _wrong("the values differ from x_test / 255: start from x_test, reshape, convert and divide by 255 "
                      "(keep the rows in order).")
    if x.dtype == np.float64:
        return _wrong("the values are right, but the dtype is float64: add .astype('float32'); "
                      "float32 halves the memory and is what Keras computes in.")
    if x.dtype != np.float32:
        return _wrong(f"the values are right, but the dtype is {x.dtype}: use .astype('float32'), what Keras computes in.")
    return _right(f"{x.shape} float32 values in [0, 1]: ready for the network.")


def _judge_y_test_onehot(answer: Any) -> Feedback:
    y = _array(answer, "the one-hot y_test")
    (_, y_train), (_, y_test) = _mnist()
    classes = 10
    if y.shape == y_test.shape:
        return _wrong(f"the shape is {y.shape}: still integer labels; one-hot encode them with "
                      f"keras.utils.to_categorical(y_test, {classes}).")
    if y.ndim >= 1 and y.shape[0] == len(y_train):
        return _wrong(f"this has {len(y_train)} rows: these are the training labels; encode y_test.")
    if y.ndim != 2 or y.shape[0] != len(y_test):
        return _wrong(f"the shape is {y.shape}; expected {(len(y_test), classes)}, one row per test image.")
    if y.shape[1] != classes:
        return _wrong(f"there are {y.shape[1]} columns: MNIST has {classes} classes (digits 0 to 9), "
                      f"so each row needs {classes} entries.")
    if not (np.issubdtype(y.dtype, np.number) or y.dtype == np.bool_):
        return _wrong(f"the array holds {y.dtype} values; one-hot rows hold numbers 0 and 1.")
    if not (np.isin(y, (0, 1)).all() and (y.sum(axis=1) == 1).all()):
        return _wrong("each row should hold a single 1, at the label's position, and nine 0s.")
    labels = y.argmax(axis=1)
    if (labels == y_test).all():
        return _right(f"{y.shape}, a single 1 in each row at the digit's position.")
    if (labels == y_train[:len(y_test)]).all():
        return _wrong(f"these rows match the first {len(y_test)} training labels; encode y_test.")
    mismatched = int((labels != y_test).sum())
    return _wrong(f"{mismatched} rows do not match y_test's labels: encode y_test itself, in its original order "
                  "(no shuffling).")


# ---------------------------------------------------------------- nb05: training steps

TRAIN_IMAGES = 60000


def _judge_steps_per_epoch(answer: Any) -> Feedback:
    value = _number(answer)
    batch = 64
    expected = math.ceil(TRAIN_IMAGES / batch)
    if value == expected:
        return _right(f"{TRAIN_IMAGES} / {batch} = {TRAIN_IMAGES / batch}, rounded up: the last, smaller batch "
                      "is a step too.")
    known = [
        (TRAIN_IMAGES // batch, f"you rounded down: the {TRAIN_IMAGES % batch} images left over make one more, "
                                "smaller batch, so round up."),
        (TRAIN_IMAGES / batch, f"{TRAIN_IMAGES / batch} is not a whole number of steps: the last, smaller batch "
                               "counts as a step too."),
        (math.ceil(TRAIN_IMAGES / 128), f"{math.ceil(TRAIN_IMAGES / 128)} is the number for batch_size=128; "
                                        f"this question uses {batch}."),
        (TRAIN_IMAGES, f"{TRAIN_IMAGES} is the number of images; a step processes one batch of {batch} images."),
        (batch, f"{batch} is the batch size; the question asks how many batches make one epoch."),
    ]
    found = _known(value, known)
    if found:
        return found
    if not value.is_integer():
        return _wrong(f"{_show(value)} is not a whole number: Keras takes whole steps, one batch each.")
    return _wrong(f"{_show(value)} is not it: how many batches of {batch} cover {TRAIN_IMAGES} images?")


def _judge_weight_updates(answer: Any) -> Feedback:
    value = _number(answer)
    batch, epochs = 128, 5
    steps = math.ceil(TRAIN_IMAGES / batch)
    expected = steps * epochs
    if value == expected:
        return _right(f"{steps} steps per epoch x {epochs} epochs = {expected} updates, one per batch.")
    known = [
        (steps, f"{steps} is one epoch; fit runs {epochs} epochs."),
        (TRAIN_IMAGES * epochs, f"{TRAIN_IMAGES * epochs} counts images x epochs; the weights change once per "
                                "batch, not per image."),
        ((TRAIN_IMAGES // batch) * epochs, f"that uses {TRAIN_IMAGES // batch} steps per epoch: rounded down; the "
                                           "last, smaller batch is a step too."),
        (TRAIN_IMAGES * epochs / batch, f"{TRAIN_IMAGES * epochs / batch} is not a whole number of updates: "
                                        "round the steps per epoch up, then multiply."),
        (math.ceil(TRAIN_IMAGES / 64) * epochs, "that is the count for batch_size=64; this fit uses 128."),
        (epochs, f"{epochs} is the number of epochs; each epoch makes many updates, one per batch."),
        (TRAIN_IMAGES, f"{TRAIN_IMAGES} is the number of training images; count batches, over all epochs."),
    ]
    found = _known(value, known)
    if found:
        return found
    if not value.is_integer():
        return _wrong(f"{_show(value)} is not a whole number: the weights change once per (whole) batch.")
    return _wrong(f"{_show(value)} is not it: one update per batch, for every epoch.")


# ---------------------------------------------------------------- nb06: evaluation

TEST_IMAGES, TEST_RIGHT = 10000, 9778
CONFUSION = np.array([[50, 2, 3], [4, 40, 6], [1, 5, 44]])  # rows: true class, columns: predicted class
RECALL_CLASS = 2


def _judge_error_rate(answer: Any) -> Feedback:
    value = _number(answer)
    wrong = TEST_IMAGES - TEST_RIGHT  # the number of wrong answers
    expected = 100 * wrong / TEST_IMAGES
    if math.isclose(value, expected, abs_tol=0.005):
        return _right(f"{wrong} wrong out of {TEST_IMAGES} is {expected:.2f}%.")
    known = [
        (100 * TEST_RIGHT / TEST_IMAGES, f"{100 * TEST_RIGHT / TEST_IMAGES:.2f}% is the accuracy; the error rate is "
                                         "the share of wrong answers."),
        (TEST_RIGHT / TEST_IMAGES, f"{TEST_RIGHT / TEST_IMAGES} is the accuracy as a fraction; the error rate is "
                                   "the share of wrong answers, in percent."),
        (wrong / TEST_IMAGES, f"{wrong / TEST_IMAGES} is a fraction; multiply by 100 for a percent."),
        (wrong, f"{wrong} is the number of wrong answers (a count); divide by {TEST_IMAGES} and multiply by 100."),
        (TEST_RIGHT, f"{TEST_RIGHT} is the count of right answers; the error rate is about the wrong ones, in percent."),
    ]
    return _known(value, known, tolerance=0.005, rel_tolerance=1e-3) or _wrong(
        f"{_show(value)} is not it: the error rate is the share of wrong answers, in percent.")


def _judge_recall(answer: Any) -> Feedback:
    value = _number(answer)
    k = RECALL_CLASS
    row_total, col_total = int(CONFUSION[k].sum()), int(CONFUSION[:, k].sum())
    hits = int(CONFUSION[k, k])
    expected = hits / row_total
    if math.isclose(value, expected, abs_tol=1e-3):
        return _right(f"{hits} of the {row_total} images of class {k} (row {k}) were found: recall {expected:.2f}.")
    known = [
        (hits / col_total, f"{hits}/{col_total} is the precision: you used column {k} (predicted); recall uses "
                           f"row {k} (true class)."),
        (np.trace(CONFUSION) / CONFUSION.sum(), "that is the accuracy of the whole matrix; recall is about one "
                                                f"class: row {k}."),
        (hits, f"{hits} is a count; recall is a ratio: divide by the images truly in class {k}."),
        (100 * expected, "give it as a fraction between 0 and 1, not a percent."),
    ]
    known += [(CONFUSION[j, j] / CONFUSION[j].sum(), f"that is the recall of class {j}: classes count from 0, so "
                                                     f"class {k} is row {k}.") for j in range(len(CONFUSION)) if j != k]
    known += [(CONFUSION[j, j] / CONFUSION[:, j].sum(), f"that is the precision of class {j}; recall of class {k} "
                                                        f"uses row {k}.") for j in range(len(CONFUSION)) if j != k]
    return _known(value, known, tolerance=1e-3) or _wrong(
        f"{_show(value)} is not it: recall = correct predictions of class {k} / all images truly of class {k}.")


# ---------------------------------------------------------------- nb07: the diagram

LAYER_SIZES = (784, 512, 10)


def _judge_neurons(answer: Any) -> Feedback:
    value = _number(answer)
    inputs, hidden, output = LAYER_SIZES
    expected = sum(LAYER_SIZES)
    if value == expected:
        return _right(f"{inputs} input + {hidden} hidden + {output} output = {expected} neurons.")
    known = [
        (hidden + output, f"you forgot the input layer: its {inputs} pixels are drawn as neurons too."),
        (inputs + hidden, f"you forgot the output layer: {output} neurons, one per digit."),
        (inputs + output, f"you forgot the hidden layer: {hidden} neurons."),
        (len(LAYER_SIZES), "that is the number of layers; count the neurons in each."),
        (len(LAYER_SIZES) - 1, "that is the number of Dense layers; count the neurons in every layer."),
        (inputs * hidden + hidden * output, "that is the number of connections; count the neurons (circles)."),
    ]
    return _known(value, known) or _wrong(f"{_show(value)} is not it: add up the neurons of all three layers.")


def _judge_connections(answer: Any) -> Feedback:
    value = _number(answer)
    inputs, hidden, output = LAYER_SIZES
    expected = inputs * hidden + hidden * output
    if value == expected:
        return _right(f"{inputs} x {hidden} + {hidden} x {output} = {expected} lines, one per weight.")
    known = [
        (expected + hidden + output, f"that includes the {hidden + output} biases; they are not connections "
                                     "between neurons."),
        (inputs * hidden, f"{inputs * hidden} is only the first layer of connections; add hidden to output."),
        (hidden * output, f"{hidden * output} is only the second layer of connections; add input to hidden."),
        (inputs * hidden + hidden, "that is the first layer with its biases; count only the lines, between both "
                                   "pairs of layers."),
        (inputs * hidden * output, "you multiplied all three layers; add the connections of each pair of "
                                   "neighbouring layers."),
        (sum(LAYER_SIZES), "that is the number of neurons; count the lines between them."),
    ]
    return _known(value, known) or _wrong(f"{_show(value)} is not it: every neuron connects to every neuron "
                                          "in the next layer.")


# ---------------------------------------------------------------- nb08: under the hood

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
    step = _function(answer, "rmsprop_step")
    outputs = []
    for (w, g, v), hyper in _rmsprop_cases():
        result = _call(step, w.copy(), g.copy(), v.copy(), **hyper)
        expected_w, expected_v = _rmsprop(w, g, v, **{**RMSPROP_DEFAULTS, **hyper})
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            if isinstance(result, (tuple, list)):
                return _wrong(f"the function returns {len(result)} values; return two: new_w, new_v.")
            if _close(_float_array(result, "the result"), expected_w):
                return _wrong("the function returns only new_w; return both: return new_w, new_v.")
            return _wrong("return a pair: return new_w, new_v.")
        new_w, new_v = (_float_array(part, name) for part, name in zip(result, ("new_w", "new_v")))
        if _close(new_w, expected_v) and _close(new_v, expected_w):
            return _wrong("new_w and new_v are swapped: return new_w first, then new_v.")
        if new_w.shape != w.shape or new_v.shape != v.shape:
            return _wrong(f"new_w and new_v should have the shape of w, {w.shape}; yours have {new_w.shape} "
                          f"and {new_v.shape}.")
        outputs.append((new_w, new_v))

    def matches(defaults_only: bool = False, **flaws: Any) -> tuple[bool, bool]:
        """Whether the learner's new_w and new_v agree, on every case, with a step that has these flaws."""
        w_ok = v_ok = True
        for ((w, g, v), hyper), (new_w, new_v) in zip(_rmsprop_cases(), outputs):
            settings = RMSPROP_DEFAULTS if defaults_only else {**RMSPROP_DEFAULTS, **hyper}
            want_w, want_v = _rmsprop(w, g, v, **settings, **flaws)
            w_ok, v_ok = w_ok and _close(new_w, want_w), v_ok and _close(new_v, want_v)
        return w_ok, v_ok

    if all(matches()):
        return _right("new_v = rho*v + (1-rho)*g**2 and new_w = w - learning_rate*g/sqrt(new_v + epsilon), "
                      "as Keras does it.")
    if all(matches(defaults_only=True)):
        return _wrong("your function ignores its learning_rate, rho and epsilon arguments: use the parameters, "
                      "not fixed numbers.")
    for flaw, message in RMSPROP_MISTAKES:
        if all(matches(**flaw)):
            return _wrong(message)
    for flaw, message in RMSPROP_MISTAKES:
        if flaw.keys() & {"square", "swap_rho"} and matches(**flaw)[1]:
            return _wrong(message)
    if matches()[1]:
        return _wrong("new_v is right, new_w is not: new_w = w - learning_rate * g / np.sqrt(new_v + epsilon).")
    return _wrong("new_v is not right: it is a running average, rho * v + (1 - rho) * g**2.")


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
    gradient = _function(answer, "softmax_crossentropy_grad")
    outputs = []
    for logits, y in _gradient_cases():
        result = _float_array(_call(gradient, logits.copy(), y.copy()), "the result")
        if result.shape != logits.shape:
            extra = " (don't average over the batch: keep one row per example)" if result.shape == logits.shape[1:] else ""
            return _wrong(f"the gradient has shape {result.shape}; it needs one value per logit, "
                          f"shape {logits.shape} like logits{extra}.")
        outputs.append(result)

    def matches(formula: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> bool:
        return all(_close(out, formula(z, y)) for (z, y), out in zip(_gradient_cases(), outputs))

    if matches(lambda z, y: (_softmax(z) - y) / len(z)):
        return _right("(softmax(logits) - y) / batch_size: the gradient of the mean crossentropy.")
    for message, formula in GRADIENT_MISTAKES:
        if matches(formula):
            return _wrong(message)
    return _wrong("not the gradient yet: softmax each row, subtract the one-hot labels, divide by the batch size.")


# ---------------------------------------------------------------- the questions

QUESTIONS: dict[str, Question] = {q.name: q for q in [
    Question("nb01.q1", _judge_sevens, answer_name="sevens_in_training", expects="the number of sevens",
             hint="y_train holds one label per training image; y_train == 7 is True where the label is 7, "
                  "and .sum() counts the Trues.",
             explanation="compare every training label with 7 and count the matches.",
             solution_code="sevens_in_training = int((y_train == 7).sum())"),
    Question("nb01.q2", _judge_test_shape, answer_name="test_shape", expects="the shape of x_test",
             hint="Every NumPy array has a .shape attribute: a tuple with one number per axis.",
             explanation="read the shape attribute of the test images.",
             solution_code="test_shape = x_test.shape"),
    Question("nb02.q1", _judge_dense_256, answer_name="dense_256_params", expects="the number of parameters",
             hint="Each of the 256 units has one weight per input (784 of them) and one bias.",
             explanation="784 weights for each of the 256 units, plus one bias per unit.",
             solution_code="dense_256_params = 784 * 256 + 256"),
    Question("nb02.q2", _judge_total_params, answer_name="total_params", expects="the number of parameters",
             hint="Count each Dense layer as inputs x units + units, then add the two; model.summary() shows "
                  "the same total.",
             explanation="the hidden layer (784 inputs, 512 units) plus the output layer (512 inputs, 10 units).",
             solution_code="total_params = (784 * 512 + 512) + (512 * 10 + 10)  # or model.count_params()"),
    Question("nb03.q1", _judge_loss_by_hand, answer_name="loss_by_hand", expects="the loss (a number)",
             hint="With a one-hot label, only the true class's term is left: minus the natural logarithm "
                  "(np.log) of the probability predicted for class 1.",
             explanation="-sum(y * ln p) keeps only the true class, so the loss is -ln(0.7).",
             solution_code="""
                 import numpy as np
                 loss_by_hand = -np.log(0.7)  # the same as -np.sum(np.array([0, 1, 0]) * np.log([0.1, 0.7, 0.2]))
             """),
    Question("nb03.q2", _judge_loss_name, answer_name="loss_name", expects="the loss name (a string, in quotes)",
             hint="Keras has a variant of 'categorical_crossentropy' for integer labels; its name adds a prefix "
                  "meaning the labels are not spread out one-hot.",
             explanation="the sparse variant of categorical crossentropy reads integer labels directly.",
             solution_code='loss_name = "sparse_categorical_crossentropy"'),
    Question("nb04.q1", _judge_x_test_prepared, answer_name="x_test_prepared", expects="the prepared array",
             hint="Do to x_test what we did to x_train: reshape it to (10000, 784), convert it to float32, "
                  "divide by 255.",
             explanation="flatten each image to 784 pixels, convert to float32 and scale into [0, 1].",
             solution_code='x_test_prepared = x_test.reshape(10000, 784).astype("float32") / 255'),
    Question("nb04.q2", _judge_y_test_onehot, answer_name="y_test_onehot", expects="the one-hot array",
             hint="keras.utils.to_categorical(labels, num_classes) turns integer labels into one-hot rows.",
             explanation="one row per test label, with a 1 in the label's column.",
             solution_code="y_test_onehot = keras.utils.to_categorical(y_test, 10)"),
    Question("nb05.q1", _judge_steps_per_epoch, answer_name="steps_per_epoch", expects="the number of steps",
             hint="Each step takes one batch of 64 images. How many batches cover 60,000 images? "
                  "A last, smaller batch still counts.",
             explanation="divide the images by the batch size and round up.",
             solution_code="""
                 import math
                 steps_per_epoch = math.ceil(60000 / 64)
             """),
    Question("nb05.q2", _judge_weight_updates, answer_name="weight_updates", expects="the number of updates",
             hint="The weights change once per batch: batches per epoch (with batch_size=128) times the "
                  "number of epochs.",
             explanation="steps per epoch (60000 / 128, rounded up) times 5 epochs.",
             solution_code="""
                 import math
                 weight_updates = math.ceil(60000 / 128) * 5
             """),
    Question("nb06.q1", _judge_error_rate, answer_name="error_rate_percent", expects="the error rate in percent",
             hint="Error rate = wrong answers / all answers; times 100 for a percent.",
             explanation="222 of the 10,000 test images are wrong.",
             solution_code="error_rate_percent = (10000 - 9778) / 10000 * 100"),
    Question("nb06.q2", _judge_recall, answer_name="recall_class_2", expects="the recall (a number)",
             hint="Recall of a class = images of that class predicted right / all images truly of that class: "
                  "one row of the matrix (rows are true classes; classes count from 0).",
             explanation="row 2 holds the 50 images truly of class 2; 44 of them were predicted as 2.",
             solution_code="""
                 import numpy as np
                 example_confusion = np.array([[50, 2, 3], [4, 40, 6], [1, 5, 44]])
                 recall_class_2 = example_confusion[2, 2] / example_confusion[2].sum()
             """),
    Question("nb07.q1", _judge_neurons, answer_name="neurons_in_diagram", expects="the number of neurons",
             hint="Count the circles in each layer: one per input pixel, one per hidden unit, one per digit.",
             explanation="input pixels + hidden units + output units.",
             solution_code="neurons_in_diagram = 784 + 512 + 10"),
    Question("nb07.q2", _judge_connections, answer_name="connections_in_diagram",
             expects="the number of connections",
             hint="Every neuron is joined to every neuron of the next layer; biases are not lines between neurons.",
             explanation="every input joins every hidden neuron, and every hidden neuron joins every output neuron.",
             solution_code="connections_in_diagram = 784 * 512 + 512 * 10"),
    Question("nb08.q1", _judge_rmsprop_step, answer_name="rmsprop_step", expects="your function",
             hint="First update v, the running average of g**2, with rho; then step w against g, divided by "
                  "np.sqrt(new_v + epsilon), the way Keras does.",
             explanation="Keras 3's RMSprop without momentum: keras/src/optimizers/rmsprop.py, update_step.",
             solution_code="""
                 import numpy as np

                 def rmsprop_step(w, g, v, learning_rate=0.001, rho=0.9, epsilon=1e-7):
                     new_v = rho * v + (1 - rho) * g**2
                     new_w = w - learning_rate * g / np.sqrt(new_v + epsilon)
                     return new_w, new_v
             """),
    Question("nb08.q2", _judge_softmax_grad, answer_name="softmax_crossentropy_grad", expects="your function",
             hint="Softmax each row of logits (subtract the row's max before np.exp, for stability), subtract "
                  "the one-hot labels, and divide by the batch size.",
             explanation="for the mean crossentropy of softmax, the gradient is (p - y) / batch_size.",
             solution_code="""
                 import numpy as np

                 def softmax_crossentropy_grad(logits, y_onehot):
                     exp = np.exp(logits - logits.max(axis=1, keepdims=True))
                     probabilities = exp / exp.sum(axis=1, keepdims=True)
                     return (probabilities - y_onehot) / len(logits)
             """),
]}

_notebooks = {}
for _name, _question in QUESTIONS.items():
    _notebook, _part = _name.split(".")
    _notebooks.setdefault(_notebook, {})[_part] = _question

nb01 = SimpleNamespace(**_notebooks["nb01"])
nb02 = SimpleNamespace(**_notebooks["nb02"])
nb03 = SimpleNamespace(**_notebooks["nb03"])
nb04 = SimpleNamespace(**_notebooks["nb04"])
nb05 = SimpleNamespace(**_notebooks["nb05"])
nb06 = SimpleNamespace(**_notebooks["nb06"])
nb07 = SimpleNamespace(**_notebooks["nb07"])
nb08 = SimpleNamespace(**_notebooks["nb08"])

__all__ = ["Feedback", "Question", "QUESTIONS", "nb01", "nb02", "nb03", "nb04", "nb05", "nb06", "nb07", "nb08"]
