"""Notebook 01's checkers (share of background pixels, the 7s picked out), and the shared core's odd inputs:
a KerasTensor, a method without (), an integer too large for a float, a shape as an array, a checker
error, correct rounding."""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from helpers.exercises import core, nb01, nb02


@pytest.fixture(scope="module")
def d() -> SimpleNamespace:
    (x_train, y_train), (x_test, y_test) = core.mnist()
    return SimpleNamespace(x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)


def said(question: core.Question, answer, status: str, *words: str) -> None:
    feedback = question.evaluate(answer)
    assert feedback.status == status, str(feedback)
    for word in words:
        assert word.lower() in feedback.message.lower(), str(feedback)
    assert str(feedback).count("\n") <= 1, "feedback is one or two lines"


# ---- nb01.q1: the share of background pixels

@pytest.mark.parametrize("answer", [lambda d: (d.x_train == 0).mean(), lambda d: np.float32((d.x_train == 0).mean()),
                                    0.8088, 0.809, 0.81, lambda d: np.mean(d.x_train == 0, keepdims=True)])
def test_background_share_right(answer, d) -> None:
    said(nb01.q1, answer(d) if callable(answer) else answer, "correct", "background")


@pytest.mark.parametrize("answer, word", [
    (80.88, "percentage"), (81, "percentage"), (38045844, "counts the zero pixels"), (0.1912, "ink"), (0.19, "ink"),
    (0.8072, "x_test"), (0.0067, "255"), (33.32, "mean pixel value"), (0.8, "round correctly"),
    (0.808, "round correctly"), (0.5, "compare x_train with 0"),
])
def test_background_share_mistakes_are_named(answer, word) -> None:
    said(nb01.q1, answer, "incorrect", word)


# ---- nb01.q2: the images of 7s

def test_sevens_right(d) -> None:
    said(nb01.q2, d.x_train[d.y_train == 7], "correct", "6265")
    said(nb01.q2, d.x_train[np.flatnonzero(d.y_train == 7)], "correct")


@pytest.mark.parametrize("build, word", [
    (lambda d: d.y_train == 7, "mask itself"), (lambda d: d.y_train[d.y_train == 7], "labels"),
    (lambda d: d.x_test[d.y_test == 7], "test set"), (lambda d: d.x_train[d.y_train != 7], "not 7s"),
    (lambda d: d.x_train[7], "single"), (lambda d: d.x_train[:6265], "first 6265"),
    (lambda d: d.x_train[d.y_train == 7][::-1], "order"),
    (lambda d: d.x_train[d.y_train == 7].reshape(-1, 784), "flattened"),
    (lambda d: d.x_train[d.y_train == 1], "(6265, 28, 28)"),
    (lambda d: d.x_train[d.y_train == 7].astype("float32") + 1, "not the 7s"),
])
def test_sevens_mistakes_are_named(build, word, d) -> None:
    said(nb01.q2, build(d), "incorrect", word)


def test_sevens_odd_types(d) -> None:
    said(nb01.q2, list(d.x_train[:2]), "incorrect", "numpy array")
    said(nb01.q2, "x_train[y_train == 7]", "incorrect", "numpy array")
    said(nb01.q2, d.x_train.copy, "incorrect", "add ()")


# ---- the core, with odd answers

def test_huge_integer_is_rejected_not_overflowerror() -> None:
    said(nb01.q1, 10**400, "incorrect", "401 digits")
    said(nb02.q1, -10**400, "incorrect", "too large")


def test_method_without_parentheses_is_told_to_add_them(d) -> None:
    said(nb01.q1, (d.x_train == 0).mean, "incorrect", ".mean()", "add ()")
    said(nb02.q1, np.arange(3).sum, "incorrect", ".sum()")
    assert core.method_name(np.mean) is None and core.method_name(len) is None  # functions are not methods
    assert core.method_name(str.upper) is None  # unbound: not a method of an object


def test_keras_tensor_is_feedback_not_a_traceback(keras) -> None:
    tensor = keras.Input(shape=(784,))
    for question in (nb01.q1, nb01.q2, nb02.q1, nb02.q2, nb02.q3):
        said(question, tensor, "incorrect", "KerasTensor", "placeholder")
    with pytest.raises(core.Rejected, match="KerasTensor"):
        core.as_array(tensor, "the result")


@pytest.mark.parametrize("answer, word", [
    (np.array([32, 512]), "tuple"), (np.zeros((32, 512)), "data itself"), ("(32, 512)", "text"),
    (32, "single number"), ((32.0, 512.0), "whole numbers"), ({"shape": 1}, "tuple"), (np.int64(32), "single number"),
])
def test_shape_answers_of_the_wrong_kind(answer, word) -> None:
    said(nb02.q3, answer, "incorrect", word)
    assert "the array itself" not in nb02.q3.evaluate(np.array([32, 512])).message


def test_a_checker_error_becomes_feedback() -> None:
    def broken(answer):
        raise KeyError("boom")
    question = core.Question("test.q", broken, answer_name="x", expects="a number", hint="h", solution_code="x = 1",
                             explanation="e")
    said(question, 3, "incorrect", "could not be read", "KeyError")


def test_rounds_to() -> None:
    assert core.rounds_to(2.2, 2.2233) and core.rounds_to(2.22, 2.2233) and core.rounds_to(2.223, 2.2233)
    assert not core.rounds_to(2.2, 2.2233, min_digits=3) and not core.rounds_to(2.3, 2.2233)
    assert not core.rounds_to(2.225, 2.2233) and core.rounds_to(0.81, 0.8088) and not core.rounds_to(0.8, 0.8088)


def test_unanswered_model_questions_explain_summary_returns_none() -> None:
    for question in (nb02.q2,):
        message = question.evaluate(None).message
        assert "summary()" in message and "returns None" in message and "replace None" in message


@pytest.fixture(scope="module")
def keras():
    import keras

    return keras


def test_the_first_image_only_and_scaled_sevens_are_told_apart() -> None:
    from helpers.exercises.core import mnist

    (x_train, y_train), _ = mnist()
    said(nb01.q1, float((x_train[0] == 0).mean()), "incorrect", "x_train[0], the first image only")
    said(nb01.q2, x_train[y_train == 7] / 255, "correct", "scaled to 0-1")
