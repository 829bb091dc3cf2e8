"""The shared core of the exercise checkers: ``Question`` (check, hint, solution), ``Feedback``,
and the functions that read a learner's answer (a number, an array, a function) without ever raising.

One module per notebook (``nb01`` ... ) defines that notebook's questions with these.
"""
from __future__ import annotations

import contextlib
import functools
import io
import math
import numbers
import textwrap
from dataclasses import dataclass
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


def right(message: str) -> Feedback:
    return Feedback(CORRECT, message)


def wrong(message: str) -> Feedback:
    return Feedback(INCORRECT, message)


class Rejected(Exception):
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
        except Rejected as rejected:
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

def show(value: float) -> str:
    """A number as a learner would write it: 6265, not 6265.0."""
    return str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else f"{value:.6g}"


def kind(answer: Any) -> str:
    """'an int', 'a list': what a learner's answer is, for messages."""
    if isinstance(answer, np.ndarray):
        return "a NumPy array"
    name = "class" if isinstance(answer, type) else type(answer).__name__
    return f"{'an' if name[:1].lower() in 'aeiou' else 'a'} {name}"


def as_number(answer: Any) -> float:
    """The answer as one finite number, or Rejected with a clear message."""
    if isinstance(answer, (bool, np.bool_)):
        raise Rejected(wrong(f"{answer} is a truth value; the answer is a number."))
    if isinstance(answer, str):
        try:
            float(answer.replace(",", "").replace("_", ""))
        except ValueError:
            raise Rejected(wrong(f"{answer!r} is text; the answer is a number (no quotes).")) from None
        raise Rejected(wrong(f"{answer!r} is text, because of the quotes; write the number without them."))
    if isinstance(answer, numbers.Real):
        value = float(answer)
    elif hasattr(answer, "__array__") and not isinstance(answer, (list, tuple)):
        array = np.asarray(answer)
        if array.size != 1 or not np.issubdtype(array.dtype, np.number):
            raise Rejected(wrong(f"this is an array of shape {array.shape}; the answer is a single number."))
        value = float(array.reshape(-1)[0].real)
    elif isinstance(answer, (list, tuple)):
        raise Rejected(wrong(f"this is {kind(answer)} of {len(answer)} values; "
                               "the answer is a single number."))
    else:
        raise Rejected(wrong(f"this is {kind(answer)}; the answer is a single number."))
    if not math.isfinite(value):
        raise Rejected(wrong(f"{value} is not a finite number."))
    return value


def known_mistake(value: float, mistakes: list[tuple[float, str]], tolerance: float = 0.0,
           rel_tolerance: float = 1e-9) -> Feedback | None:
    """The feedback for the first known wrong answer that ``value`` matches, if any."""
    for wrong_value, message in mistakes:
        if math.isclose(value, wrong_value, rel_tol=rel_tolerance, abs_tol=tolerance):
            return wrong(message)
    return None


def as_array(answer: Any, what: str) -> np.ndarray:
    """The answer as a NumPy array (tensors convert), or Rejected for lists and other types."""
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


def call_learner(function: Callable, *args: Any, **kwargs: Any) -> Any:
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
        raise Rejected(wrong(f"{name} raised {type(err).__name__}: {detail}{advice}")) from None
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


@functools.cache
def x_test_prepared() -> np.ndarray:
    (_, _), (x_test, _) = mnist()
    return x_test.reshape(len(x_test), -1).astype("float32") / 255
