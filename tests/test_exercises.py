"""The exercise checkers: right answers pass, each known mistake is named, None and wrong types never raise."""
from __future__ import annotations

import math
import re
import subprocess
import sys
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from checking import notebook_variables
from helpers import exercises, notebook_paths
from helpers.exercises import QUESTIONS


@pytest.fixture(scope="module")
def data() -> SimpleNamespace:
    """The MNIST arrays under the names the notebooks use, for running the checkers' solution code."""
    from helpers.data import load_mnist

    (x_train, y_train), (x_test, y_test) = load_mnist()
    return SimpleNamespace(x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)


CORRECT = [
    ("nb05.q1", 938), ("nb05.q1", math.ceil(60000 / 64)), ("nb05.q1", np.ceil(60000 / 64)),
    ("nb06.q1", 2.22), ("nb06.q1", (10000 - 9778) / 10000 * 100), ("nb06.q1", 2.2),
    ("nb06.q2", 0.88), ("nb06.q2", 44 / 50), ("nb06.q2", np.float64(0.8801)),
]

WRONG = [  # (question, answer, a distinctive word of the message naming the mistake)
    ("nb05.q1", 937, "rounded down"), ("nb05.q1", 937.5, "whole number"), ("nb05.q1", 469, "128"),
    ("nb05.q1", 60000, "number of images"), ("nb05.q1", 900.25, "whole number"), ("nb05.q1", 12, "batches of 64"),
    ("nb06.q1", 97.78, "accuracy"), ("nb06.q1", 0.0222, "fraction"), ("nb06.q1", 222, "count"),
    ("nb06.q1", 0.9778, "accuracy"), ("nb06.q1", 9778, "right answers"), ("nb06.q1", 3, "share of wrong"),
    ("nb06.q2", 44 / 53, "precision"), ("nb06.q2", 134 / 155, "accuracy"), ("nb06.q2", 44, "count"),
    ("nb06.q2", 88, "fraction between 0 and 1"), ("nb06.q2", 0.8, "count from 0"), ("nb06.q2", 0.5, "truly"),
]

WRONG_TYPE = [  # (question, answer, a word of the message): rejected cleanly, never a traceback
    ("nb05.q1", True, "truth value"),
    ("nb06.q1", "2.22%", "text"), ("nb06.q2", {"recall": 0.88}, "single number"),
]


def case_id(case: tuple) -> str:
    name, answer = case[0], case[1]
    shown = getattr(answer, "__name__", None) or repr(answer)
    return f"{name}-{shown[:40]}"


@pytest.mark.parametrize("name, answer", CORRECT, ids=map(case_id, CORRECT))
def test_right_answer_is_accepted(name: str, answer: Any) -> None:
    feedback = QUESTIONS[name].evaluate(answer)
    assert feedback.status == "correct", str(feedback)
    assert str(feedback).startswith("✔ Correct: ")


@pytest.mark.parametrize("name, answer, word", WRONG, ids=map(case_id, WRONG))
def test_known_mistake_is_named(name: str, answer: Any, word: str) -> None:
    feedback = QUESTIONS[name].evaluate(answer)
    assert feedback.status == "incorrect", str(feedback)
    assert word.lower() in feedback.message.lower(), str(feedback)
    assert str(feedback).startswith("✘ Not quite: ") and str(feedback).count("\n") <= 1


@pytest.mark.parametrize("name, answer, word", WRONG_TYPE, ids=map(case_id, WRONG_TYPE))
def test_wrong_type_is_rejected_cleanly(name: str, answer: Any, word: str, capsys) -> None:
    question = QUESTIONS[name]
    feedback = question.evaluate(answer)
    assert feedback.status == "incorrect", str(feedback)
    assert word.lower() in feedback.message.lower(), str(feedback)
    assert question.check(answer) is None
    assert capsys.readouterr().out == f"{feedback}\n"




@pytest.mark.parametrize("name", QUESTIONS)
def test_none_is_not_answered_yet(name: str, capsys) -> None:
    question = QUESTIONS[name]
    feedback = question.evaluate(None)
    assert feedback.status == "unanswered"
    assert "replace None" in feedback.message and "run the cell again" in feedback.message
    assert question.check(None) is None
    output = capsys.readouterr().out
    assert output.startswith("• Not answered yet: ") and output.count("\n") == 1


def test_stub_function_returning_none_is_not_answered_yet() -> None:
    def hidden_bias_gradient(x, y, W1, b1, W2, b2):
        return None  # replace with your code
    feedback = QUESTIONS["nb08.q2"].evaluate(hidden_bias_gradient)
    assert feedback.status == "unanswered"
    assert "replace `return None`" in feedback.message


@pytest.mark.parametrize("name", QUESTIONS)
def test_hint_and_solution_print(name: str, capsys) -> None:
    question = QUESTIONS[name]
    assert question.hint() is None
    hint = capsys.readouterr().out
    assert hint.startswith("Hint: ") and len(hint) > 30
    assert question.solution() is None
    solution = capsys.readouterr().out
    assert solution.startswith("Solution: ") and question.answer_name in solution
    assert question.solution_code.splitlines()[-1].strip() in solution


@pytest.mark.parametrize("name", QUESTIONS)
def test_solution_code_is_accepted(name: str, data: SimpleNamespace, keras) -> None:
    """The code solution() prints, run as in the notebook, gives an answer the checker accepts."""
    namespace = {"keras": keras, **vars(data)}
    namespace.update(notebook_variables(name.split(".")[0]))  # e.g. prepared data, the trained model
    exec(QUESTIONS[name].solution_code, namespace)
    feedback = QUESTIONS[name].evaluate(namespace[QUESTIONS[name].answer_name])
    assert feedback.status == "correct", str(feedback)


@pytest.mark.parametrize("status, answer", [("correct", 200960), ("incorrect", 200704), ("unanswered", None)])
def test_check_prints_the_feedback_and_returns_none(status: str, answer: Any, capsys) -> None:
    assert exercises.nb02.q1.check(answer) is None
    output = capsys.readouterr().out
    assert output.startswith(exercises.PREFIXES[status]) and output.count("\n") == 1


def test_every_notebook_has_two_questions_or_more() -> None:
    assert len(exercises.NOTEBOOK_MODULES) == len(notebook_paths()) - 1  # not 00
    for module in exercises.NOTEBOOK_MODULES:
        number = module.__name__[-2:]
        names = [q.name for q in vars(module).values() if isinstance(q, exercises.Question)]
        assert names == [f"nb{number}.q{i}" for i in range(1, len(names) + 1)] and len(names) >= 2, names


def test_import_stays_light() -> None:
    """Importing the checkers must not pull in TensorFlow or Keras (checks stay instant)."""
    code = "import sys, helpers.exercises; print(sorted({'tensorflow', 'keras'} & set(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


CHECKS_WITHOUT_TENSORFLOW = """
import sys
from helpers.exercises import QUESTIONS
from helpers.exercises.core import mnist

(x_train, y_train), _ = mnist()
for name in sys.argv[1:]:
    question = QUESTIONS[name]
    question.evaluate(3)  # a number: a number's check goes all the way, others stop at the type
    if "helpers" not in question.solution_code:  # the solution's own imports are the learner's, not the check's
        namespace = {"x_train": x_train, "y_train": y_train}
        exec(question.solution_code, namespace)
        assert question.evaluate(namespace[question.answer_name]).status == "correct", name
    if {"tensorflow", "keras"} & set(sys.modules):
        print(name)
        break
"""


def test_checks_the_package_docstring_does_not_name_run_without_tensorflow() -> None:
    """The docstring's promise: only the checks it names import TensorFlow (each other one, with a number and with
    its solution's answer, in a fresh Python)."""
    named = set(re.findall(r"\bnb\d\d\.q\d+\b", exercises.__doc__))
    assert named and named <= set(QUESTIONS), named - set(QUESTIONS)
    others = [name for name in QUESTIONS if name not in named]
    result = subprocess.run([sys.executable, "-c", CHECKS_WITHOUT_TENSORFLOW, *others], capture_output=True,
                            text=True, check=True)
    assert result.stdout.strip() == "", f"{result.stdout.strip()} imports TensorFlow; the docstring says it does not"


# ---- the checkers' expectations agree with Keras itself

def test_the_checkers_prepare_images_as_the_notebooks_do(mnist_test) -> None:
    """core.prepared and core.one_hot, the checkers' one preparation, give what helpers.model.preprocess gives."""
    from helpers.exercises import core
    from helpers.model import preprocess

    x_test, y_test = mnist_test
    x, y = preprocess(x_test, y_test)
    assert core.prepared(x_test).dtype == x.dtype and np.array_equal(core.prepared(x_test), x)
    assert np.array_equal(core.one_hot(y_test), y)  # the same values (Keras gives float64)


def test_parameter_counts_match_keras(keras) -> None:
    dense = keras.layers.Dense(256)
    dense.build((None, 784))
    assert exercises.nb02.q1.evaluate(dense.count_params()).status == "correct"


def test_a_function_passed_for_a_number_is_told_to_call_it() -> None:
    def share_of_zeros(images):
        return (images == 0).mean()

    for answer, name in ((share_of_zeros, "share_of_zeros"), (np.mean, "mean"), (len, "len")):
        feedback = exercises.nb01.q1.evaluate(answer)
        assert feedback.status == "incorrect" and f"function {name} itself" in feedback.message, feedback
        assert f"{name}(...)" in feedback.message
