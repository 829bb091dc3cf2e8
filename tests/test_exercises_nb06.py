"""nb06: the error rate accepts correct roundings only; q3 inspects a model saved and loaded back."""
from __future__ import annotations

import numpy as np
import pytest

from checking import notebook_variables
from helpers.exercises import nb06


@pytest.mark.parametrize("answer", [2.22, 2.2, np.float32(2.22), 222 / 10000 * 100, 2.220, 2.2200001])
def test_correct_roundings_of_the_error_rate_pass(answer):
    assert nb06.q1.evaluate(answer).status == "correct"


@pytest.mark.parametrize("answer, word", [
    (2.225, "close"), (2.2233, "close"), (2.19, "close"), (2, "whole percent"), (2.0, "whole percent"),
    (2.3, "share of wrong"), (97.78, "accuracy"), ("2.2", "quotes"),
])
def test_near_misses_of_the_error_rate_are_rejected(answer, word):
    feedback = nb06.q1.evaluate(answer)
    assert feedback.status == "incorrect" and word in feedback.message, feedback


@pytest.fixture()
def outputs(tmp_path, monkeypatch):
    monkeypatch.setenv("MNIST_OUTPUTS_DIR", str(tmp_path))
    return tmp_path


@pytest.fixture(scope="module")
def trained(keras):
    return notebook_variables("nb06")["model"]


def test_saved_and_reloaded_model_is_accepted(keras, outputs, trained):
    path = nb06.my_copy_path()
    assert path.parent == outputs
    trained.save(path)
    feedback = nb06.q3.evaluate(keras.models.load_model(path))
    assert feedback.status == "correct" and "optimizer state" in feedback.message, feedback
    without_optimizer = nb06.q3.evaluate(keras.models.load_model(path, compile=False))
    assert without_optimizer.status == "correct" and "without its optimizer" in without_optimizer.message


def test_odd_answers_for_save_and_load_are_named(keras, outputs, trained):
    path = nb06.my_copy_path()
    assert "no file" in nb06.q3.evaluate(trained).message  # not saved yet
    trained.save(path)
    keras.utils.set_random_seed(1)
    untrained = keras.Sequential([keras.Input(shape=(784,)), keras.layers.Dense(10, activation="softmax")])
    other = keras.models.clone_model(trained)
    other.set_weights([w * 0.99 for w in trained.get_weights()])
    wrong_input = keras.Sequential([keras.Input(shape=(28, 28)), keras.layers.Flatten(),
                                    keras.layers.Dense(3, activation="softmax")])
    cases = [
        (str(path), "this is a path"), (path, "this is a path"),
        (keras.models.load_model, "call it"), (untrained, "not trained"),
        (other, "not the one"), (wrong_input, "cannot read"), (3, "an int"),
    ]
    for answer, word in cases:
        feedback = nb06.q3.evaluate(answer)
        assert feedback.status == "incorrect" and word in feedback.message, (answer, feedback)
        assert str(feedback).count("\n") <= 1
    unanswered = nb06.q3.evaluate(trained.save(path))  # model.save returns None
    assert unanswered.status == "unanswered" and "model.save itself returns None" in unanswered.message


def test_the_model_itself_under_a_new_name_is_named(keras, outputs, trained):
    """model.save(path); reloaded = model: the file was written but never read back."""
    variables = {"__name__": "__main__", "keras": keras, "model": trained, "my_copy_path": nb06.my_copy_path(),
                 "nb06": nb06}
    exec("model.save(my_copy_path)\nreloaded = model\nfeedback = nb06.q3.evaluate(reloaded)", variables)
    feedback = variables["feedback"]
    assert feedback.status == "incorrect" and "not a copy read from the file" in feedback.message, feedback
    exec("reloaded = keras.models.load_model(my_copy_path)\nfeedback = nb06.q3.evaluate(reloaded)", variables)
    assert variables["feedback"].status == "correct", variables["feedback"]
