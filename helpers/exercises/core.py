"""The shared core of the exercise checkers: ``Question`` (check, hint, solution), ``Feedback``,
the functions that read a learner's answer (a number, a shape, an array, a function, a loss, a Keras
model), and the checkers' one preparation of MNIST's images (``prepared``). A reader that cannot use
an answer raises ``Rejected`` with feedback naming the mistake; ``Question.evaluate`` turns that, and
any other error, into its reply, so a check never ends in a traceback.

One module per notebook (``nb01`` ... ) defines that notebook's questions with these.  Keras is
imported only inside the functions that inspect a Keras object, so ``import helpers.exercises``
stays light.
"""
from __future__ import annotations

import contextlib
import functools
import inspect
import io
import math
import numbers
import re
import textwrap
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

CORRECT, INCORRECT, UNANSWERED, CANNOT_CHECK = "correct", "incorrect", "unanswered", "cannot check"
PREFIXES = {CORRECT: "✔ Correct: ", INCORRECT: "✘ Not quite: ", UNANSWERED: "• Not answered yet: ",
            CANNOT_CHECK: "⚠ Cannot check: "}


@dataclass(frozen=True)
class Feedback:
    """What ``check`` prints: a status (correct, incorrect, unanswered) and a one- or two-line message."""

    status: str
    message: str

    def __str__(self) -> str:
        return PREFIXES[self.status] + self.message


def right(message: str) -> Feedback:
    return Feedback(CORRECT, message)


def wrong(message: str) -> Feedback:
    return Feedback(INCORRECT, message)


class CheckerDataMissing(Exception):
    """The checker could not read its own data (a missing or stale file): the answer is not judged."""


class Rejected(Exception):
    """Stops a judge early with feedback: an answer of the wrong type, or a learner's function that fails."""

    def __init__(self, feedback: Feedback):
        super().__init__(feedback.message)
        self.feedback = feedback


class Question:
    """One exercise: ``check(answer)``, ``hint()`` and ``solution()``; ``evaluate`` returns what ``check`` prints."""

    def __init__(self, name: str, judge: Callable[[Any], Feedback], *, answer_name: str,
                 expects: str, hint: str, solution_code: str, explanation: str, if_none: str = ""):
        self.name = name
        self.answer_name = answer_name  # the variable (or function) the notebook's code cell fills in
        self.solution_code = textwrap.dedent(solution_code).strip()
        self._judge = judge
        self._expects = expects
        self._hint = hint
        self._explanation = explanation
        self._if_none = if_none  # added to "Not answered yet", e.g. why model.summary() gives None

    def evaluate(self, answer: Any) -> Feedback:
        """The feedback for ``answer``; never raises for None or an answer of the wrong type."""
        if answer is None:
            note = f" {self._if_none}" if self._if_none else ""
            return Feedback(UNANSWERED, f"replace None with {self._expects} and run the cell again.{note}")
        if is_keras_tensor(answer):
            return wrong(f"this is a KerasTensor, a placeholder Keras uses while wiring layers: it holds no "
                         f"numbers. Pass {self._expects}.")
        try:
            return self._judge(answer)
        except Rejected as rejected:
            return rejected.feedback
        except CheckerDataMissing as missing:
            return Feedback(CANNOT_CHECK, f"{missing} (this says nothing about your answer).")
        except Exception as err:  # a checker must never answer with a traceback
            return wrong(f"this answer could not be read ({type(err).__name__}: {first_line(err)}); "
                         f"pass {self._expects}.")

    @property
    def hint_text(self) -> str:
        return self._hint

    @property
    def explanation(self) -> str:
        return self._explanation

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

def show(value: float) -> str:
    """A number as a learner would write it: 6265, not 6265.0."""
    return str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else f"{value:.6g}"


def kind(answer: Any) -> str:
    """'an int', 'a list': what a learner's answer is, for messages."""
    if isinstance(answer, np.ndarray):
        return "a NumPy array"
    name = "class" if isinstance(answer, type) else type(answer).__name__
    return f"{'an' if name[:1].lower() in 'aeiou' else 'a'} {name}"


def first_line(err: BaseException, limit: int = 120) -> str:
    """The first line of an error message, cut to ``limit`` characters."""
    line = (str(err).splitlines() or [""])[0]
    return line if len(line) <= limit else line[:limit - 1] + "…"


def is_keras_tensor(answer: Any) -> bool:
    """A symbolic KerasTensor (``model.output``, a layer called on ``keras.Input``), told without importing Keras."""
    return any(cls.__name__ == "KerasTensor" for cls in type(answer).__mro__)


def method_name(answer: Any) -> str | None:
    """``'count_params'`` for ``model.count_params`` passed without (): a method bound to an object, else None."""
    bound_to = getattr(answer, "__self__", None)
    if (inspect.ismethod(answer) or inspect.isbuiltin(answer) or type(answer).__name__ == "method-wrapper") \
            and bound_to is not None and not inspect.ismodule(bound_to) and not isinstance(bound_to, type):
        return answer.__name__
    return None


def reject_uncalled_method(answer: Any) -> None:
    """Rejected when ``answer`` is a method passed without its parentheses."""
    name = method_name(answer)
    if name:
        raise Rejected(wrong(f"this is the method .{name} itself, not its result: add () to call it, .{name}()."))


def as_number(answer: Any) -> float:
    """The answer as one finite number, or Rejected with a clear message."""
    reject_uncalled_method(answer)
    if isinstance(answer, (bool, np.bool_)):
        raise Rejected(wrong(f"{answer} is a truth value; the answer is a number."))
    if isinstance(answer, str):
        try:
            float(answer.replace(",", "").replace("_", ""))
        except ValueError:
            raise Rejected(wrong(f"{answer!r} is text; the answer is a number (no quotes).")) from None
        raise Rejected(wrong(f"{answer!r} is text, because of the quotes; write the number without them."))
    if isinstance(answer, numbers.Real):
        try:
            value = float(answer)
        except OverflowError:
            raise Rejected(wrong(f"this number has {len(str(int(answer)))} digits: far too large to be the "
                                 "answer.")) from None
    elif hasattr(answer, "__array__") and not isinstance(answer, (list, tuple)):
        array = np.asarray(answer)
        if array.size != 1 or not np.issubdtype(array.dtype, np.number):
            raise Rejected(wrong(f"this is an array of shape {array.shape}; the answer is a single number."))
        value = float(array.reshape(-1)[0].real)
    elif isinstance(answer, (list, tuple)):
        raise Rejected(wrong(f"this is {kind(answer)} of {len(answer)} values; "
                               "the answer is a single number."))
    elif callable(answer) and not isinstance(answer, type) and hasattr(answer, "__name__"):
        name = getattr(answer, "__name__", "function")
        raise Rejected(wrong(f"this is the function {name} itself, not a number: call it, {name}(...), and pass "
                             "what it returns."))
    else:
        raise Rejected(wrong(f"this is {kind(answer)}; the answer is a single number."))
    if not math.isfinite(value):
        raise Rejected(wrong(f"{value} is not a finite number."))
    return value


def judged_outputs(matches: Callable[[Any], bool], correct: Any, mistakes: list[tuple[Any, str]],
                   right_message: str, otherwise: str) -> Feedback:
    """The feedback for a learner's function, from what it returned on the checker's cases.

    ``matches(variant)`` says whether those outputs are what ``variant`` (the right computation, or one
    of the known mistakes) gives: right when they match ``correct``, else the message of the first
    mistake they match, else ``otherwise``.
    """
    if matches(correct):
        return right(right_message)
    for variant, message in mistakes:
        if matches(variant):
            return wrong(message)
    return wrong(otherwise)


def known_mistake(value: float, mistakes: list[tuple[float, str]], tolerance: float = 0.0,
           rel_tolerance: float = 1e-9) -> Feedback | None:
    """The feedback for the first known wrong answer that ``value`` matches, if any."""
    for wrong_value, message in mistakes:
        if math.isclose(value, wrong_value, rel_tol=rel_tolerance, abs_tol=tolerance):
            return wrong(message)
    return None


def rounds_to(value: float, exact: float, min_digits: int = 2) -> bool:
    """True if ``value`` is ``exact``, or ``exact`` correctly rounded to ``min_digits`` or more significant digits."""
    if math.isclose(value, exact, rel_tol=1e-6, abs_tol=1e-12):
        return True
    if exact == 0:
        return False
    magnitude = math.floor(math.log10(abs(exact)))
    return any(math.isclose(value, round(exact, digits - 1 - magnitude), rel_tol=1e-9)
               for digits in range(min_digits, 16))


def as_shape(answer: Any, what: str, example: str = "(2, 3)") -> tuple[int | None, ...]:
    """The answer as a shape (a tuple of whole numbers; None allowed for the batch axis), or Rejected.

    ``example`` is the shape the messages show, e.g. "(26, 26, 32)" for an image's.
    """
    reject_uncalled_method(answer)
    if isinstance(answer, str):
        raise Rejected(wrong(f"{answer!r} is text; give {what} as a tuple of numbers, e.g. {example}, no quotes."))
    if type(answer).__name__ == "TensorShape":
        answer = tuple(answer)
    if isinstance(answer, numbers.Number) and not isinstance(answer, (bool, np.bool_)):
        raise Rejected(wrong(f"{answer} is a single number; a shape has one number per axis, e.g. {example}."))
    if hasattr(answer, "shape") and hasattr(answer, "__array__") and not isinstance(answer, (tuple, list)):
        array = np.asarray(answer)
        if array.ndim == 1 and array.size <= 8 and np.issubdtype(array.dtype, np.integer):
            raise Rejected(wrong(f"this is an array holding the numbers {tuple(int(n) for n in array)}; "
                                 f"a shape is a tuple: write the numbers in parentheses, e.g. {example}."))
        raise Rejected(wrong(f"this is the data itself, an array of shape {tuple(array.shape)}; "
                             f"give {what} as a tuple (an array's .shape is one)."))
    if not isinstance(answer, (tuple, list)):
        raise Rejected(wrong(f"this is {kind(answer)}; give {what} as a tuple of whole numbers, e.g. {example}."))
    if not all(n is None or (isinstance(n, numbers.Integral) and not isinstance(n, (bool, np.bool_)))
               for n in answer):
        raise Rejected(wrong(f"{tuple(answer)!r}: a shape holds whole numbers only, e.g. {example}."))
    return tuple(None if n is None else int(n) for n in answer)


def as_array(answer: Any, what: str) -> np.ndarray:
    """The answer as a NumPy array (tensors convert), or Rejected for lists and other types."""
    reject_uncalled_method(answer)
    if is_keras_tensor(answer):
        raise Rejected(wrong(f"this is a KerasTensor, a placeholder Keras uses while wiring layers: it holds no "
                             f"numbers; {what} should be a NumPy array."))
    if isinstance(answer, np.ndarray):
        return answer
    if isinstance(answer, (list, tuple)):
        raise Rejected(wrong(f"this is a Python {type(answer).__name__}; {what} should be a NumPy array "
                               "(keep working with NumPy, e.g. .reshape and .astype)."))
    if hasattr(answer, "__array__") and not isinstance(answer, (str, bytes)):
        return np.asarray(answer)
    raise Rejected(wrong(f"this is {kind(answer)}; {what} should be a NumPy array."))


def as_function(answer: Any, name: str) -> Callable:
    if callable(answer):
        return answer
    raise Rejected(wrong(f"this is {kind(answer)}, not a function: pass the function itself, "
                           f"{name}, without parentheses."))


def snake_case(name: str) -> str:
    """SparseCategoricalCrossentropy -> sparse_categorical_crossentropy (Keras's class and function names)."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def loss_name(loss: Any) -> tuple[str, str]:
    """(snake_case name, name as the learner gave it) of a loss given as a string, class, instance or function.

    A string is kept letter for letter, as Keras reads it, except a class name such as "CategoricalCrossentropy",
    which Keras also takes.
    """
    if isinstance(loss, str):
        return (snake_case(loss) if loss[:1].isupper() and loss.isalnum() else loss), loss
    if isinstance(loss, type):  # a loss class, e.g. keras.losses.SparseCategoricalCrossentropy
        return snake_case(loss.__name__), loss.__name__
    if callable(loss):  # a loss instance (it has .name) or a loss function (it has __name__)
        given = getattr(loss, "name", None) or getattr(loss, "__name__", None) or type(loss).__name__
        return snake_case(given), given
    raise Rejected(wrong(f"the loss is {kind(loss)}; give compile(loss=...) a loss name in quotes, "
                         "like \"categorical_crossentropy\"."))


def call_learner(function: Callable, *args: Any, **kwargs: Any) -> Any:
    """Call the learner's function; its errors and a None result become feedback, never a traceback."""
    name = getattr(function, "__name__", "your function")
    printed = io.StringIO()
    try:
        # the feedback names the problem; NumPy's warnings would only add noise
        with np.errstate(all="ignore"), contextlib.redirect_stdout(printed):
            result = function(*args, **kwargs)
    except Exception as err:  # any error in the learner's code is reported, not raised
        detail = first_line(err)
        advice = ("\nKeep the def line as the exercise gives it, with all its parameters."
                  if isinstance(err, TypeError) and "argument" in detail else "")
        raise Rejected(wrong(f"{name} raised {type(err).__name__}: {detail}{advice}")) from None
    if result is None and printed.getvalue().strip():
        shown = first_line(ValueError(printed.getvalue().strip()), 40)
        raise Rejected(wrong(f"{name} printed {shown!r} but returned None: a function hands its answer back "
                             "with return, not print."))
    if result is None:
        raise Rejected(Feedback(UNANSWERED, f"{name} returns None: replace `return None` with your code "
                                             "and run the cell again."))
    return result


def as_float_array(value: Any, what: str) -> np.ndarray:
    try:
        return np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise Rejected(wrong(f"{what} is {kind(value)}, not an array of numbers.")) from None


def close(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=1e-5, atol=1e-9, equal_nan=True))


@functools.cache
def mnist() -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """MNIST as the notebooks load it, read once; the loader's progress line is not repeated under every check."""
    from helpers.data import load_mnist

    with contextlib.redirect_stdout(io.StringIO()):
        return load_mnist()


def prepared(images: np.ndarray) -> np.ndarray:
    """Images (n, 28, 28) uint8 -> a new (n, 784) float32 array in [0, 1], as notebook 04 prepares them."""
    return images.reshape(len(images), -1).astype("float32") / 255


def one_hot(labels: np.ndarray, classes: int = 10) -> np.ndarray:
    """Labels (n,) -> one-hot (n, classes) float32: the values keras.utils.to_categorical gives (as float64)."""
    return np.eye(classes, dtype="float32")[labels]


@functools.cache
def x_test_prepared() -> np.ndarray:
    """The test images prepared once, for checkers only (never handed to a learner's code)."""
    (_, _), (x_test, _) = mnist()
    return prepared(x_test)



def learner_namespace() -> dict[str, Any]:
    """The variables of the notebook (or script) that called the check: the nearest caller running as __main__."""
    frame = inspect.currentframe()
    while frame is not None:
        if frame.f_globals.get("__name__") == "__main__":
            return frame.f_globals
        frame = frame.f_back
    return {}


# ---------------------------------------------------------------- Keras models (Keras imported only here)

MODEL_IF_NONE = "(model.summary() prints the table and returns None: pass the model itself.)"


def as_model(answer: Any, what: str = "the model") -> Any:
    """The answer as a Keras model, or Rejected naming what it is instead (a layer, a list, a method...)."""
    import keras

    if isinstance(answer, keras.Model):
        return answer
    bound_to, name = getattr(answer, "__self__", None), method_name(answer)
    if name and isinstance(bound_to, keras.Model):
        raise Rejected(wrong(f"this is the model's method .{name}; pass the model itself, without .{name}."))
    reject_uncalled_method(answer)
    if isinstance(answer, type) and issubclass(answer, keras.Model):
        raise Rejected(wrong(f"this is a class, not a model: call the class {answer.__name__} with your list of "
                             f"layers, {answer.__name__}([...]), and pass the result."))
    if isinstance(answer, keras.layers.Layer):
        raise Rejected(wrong(f"this is one layer ({type(answer).__name__}); stack the layers in "
                             "keras.Sequential([...]) and pass that model."))
    if isinstance(answer, (list, tuple)) and answer and all(isinstance(a, keras.layers.Layer) or is_keras_tensor(a)
                                                            for a in answer):
        raise Rejected(wrong("this is a list of layers; wrap it in keras.Sequential([...]) to make a model."))
    if isinstance(answer, keras.callbacks.History):
        raise Rejected(wrong(f"this is the History that fit returns; pass {what} itself."))
    raise Rejected(wrong(f"this is {kind(answer)}; pass {what}, built with keras.Sequential([...])."))


def input_shape(model: Any) -> tuple | None:
    """The model's input shape, e.g. (None, 784), or None when it was built without keras.Input."""
    try:
        return tuple(model.input_shape)
    except (AttributeError, ValueError):
        return None


def layers_of(model: Any, name: str) -> list:
    """The model's layers of one kind, by class name: layers_of(model, "Dense")."""
    return [layer for layer in model.layers if type(layer).__name__ == name]


def activation_name(layer: Any) -> str:
    """'relu', 'softmax': the name of a layer's activation."""
    return getattr(layer.activation, "__name__", type(layer.activation).__name__)


def dense_stack_mistake(model: Any, hidden_units: int, input_shape_expected: tuple) -> Feedback | None:
    """What is wrong in a Dense(hidden_units, relu) -> Dense(10, softmax) network on ``input_shape_expected``."""
    shape = input_shape(model)
    wanted = f"keras.Input(shape={input_shape_expected})"
    if shape is None:
        return wrong(f"the model has no input shape: start the list with {wanted}.")
    if shape[1:] != input_shape_expected:
        return wrong(f"the input shape is {shape[1:]}; this network takes {input_shape_expected}: {wanted}.")
    dense = layers_of(model, "Dense")
    if len(dense) != 2:
        return wrong(f"the model has {len(dense)} Dense layers; build two: a hidden Dense({hidden_units}) "
                     "and an output Dense(10).")
    hidden, output = dense
    if hidden.units != hidden_units:
        note = " (that is the reference network)" if hidden.units == 512 else ""
        return wrong(f"the hidden layer has {hidden.units} units{note}; make it Dense({hidden_units}).")
    if activation_name(hidden) != "relu":
        return wrong(f"the hidden layer's activation is {activation_name(hidden)}; give it activation=\"relu\".")
    if output.units != 10:
        return wrong(f"the output layer has {output.units} units; it needs one per digit: Dense(10).")
    if activation_name(output) != "softmax":
        return wrong(f"no softmax on the output layer (it has {activation_name(output)}): add "
                     "activation=\"softmax\" so the 10 outputs are probabilities.")
    return None
