"""nb05.q2, fit a small network: the checker inspects real History objects, and names each mistake."""
from __future__ import annotations

import pytest

from helpers.exercises import nb05


@pytest.fixture(scope="module")
def data() -> dict:
    return nb05.notebook_variables()


def fresh_model(keras, loss: str = "categorical_crossentropy", metrics=("accuracy",)):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input(shape=(784,)), keras.layers.Dense(64, activation="relu"),
                              keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer="rmsprop", loss=loss, metrics=list(metrics))
    return model


def fit(keras, data, images: int = 6000, epochs: int = 2, batch_size: int | None = 64, **compiled):
    model = fresh_model(keras, **compiled)
    return model.fit(data["x_train"][:images], data["y_train"][:images], epochs=epochs, batch_size=batch_size,
                     verbose=0)


def history_of(keras, steps: int, epochs: int = 2):
    """A History as fit leaves it, for runs too long to do in a test (all 60,000 images)."""
    history = keras.callbacks.History()
    history.set_model(fresh_model(keras))
    history.set_params({"verbose": 0, "epochs": epochs, "steps": steps})
    history.on_train_begin()
    for epoch in range(epochs):
        history.on_epoch_end(epoch, {"accuracy": 0.9, "loss": 0.3})
    return history


def test_the_asked_fit_is_accepted_and_described(keras, data):
    feedback = nb05.q2.evaluate(fit(keras, data))
    assert feedback.status == "correct", feedback
    assert "94 steps" in feedback.message and "188 weight updates" in feedback.message


@pytest.mark.parametrize("kwargs, word", [
    ({"epochs": 1}, "ran 1 epoch"),
    ({"epochs": 3, "images": 640}, "ran 3 epoch"),
    ({"batch_size": None}, "batches of 32"),
    ({"batch_size": 128}, "batch_size=64"),
    ({"batch_size": 100}, "make 94"),
    ({"loss": "mse"}, "'mse'"),
    ({"metrics": ()}, "metrics="),
])
def test_a_real_fit_with_a_mistake_is_named(keras, data, kwargs, word):
    feedback = nb05.q2.evaluate(fit(keras, data, **kwargs))
    assert feedback.status == "incorrect" and word in feedback.message, feedback


@pytest.mark.parametrize("steps, word", [(938, "all 60,000"), (469, "batches of 128"), (1875, "default")])
def test_the_whole_training_set_is_named(keras, steps, word):
    feedback = nb05.q2.evaluate(history_of(keras, steps))
    assert feedback.status == "incorrect" and word in feedback.message, feedback


def test_fitting_an_already_trained_network_is_named(keras, data):
    model = fresh_model(keras)
    model.fit(data["x_train"][:12000], data["y_train"][:12000], epochs=6, batch_size=64, verbose=0)
    again = model.fit(data["x_train"][:6000], data["y_train"][:6000], epochs=2, batch_size=64, verbose=0)
    feedback = nb05.q2.evaluate(again)
    assert feedback.status == "incorrect" and "trained before" in feedback.message, feedback


def test_odd_answers_are_named(keras, data):
    history = fit(keras, data, images=640)
    cases = [
        (history.model, "this is the model"),
        (history.history, "history.history"),
        ([0.3, 0.9], "model.evaluate"),
        (0.9, "model.evaluate"),
        ("small_history", "a str"),
        (keras.callbacks.History(), "empty"),
    ]
    for answer, word in cases:
        feedback = nb05.q2.evaluate(answer)
        assert feedback.status == "incorrect" and word in feedback.message, (answer, feedback)
        assert str(feedback).count("\n") <= 1
    unanswered = nb05.q2.evaluate(None)
    assert unanswered.status == "unanswered" and "History" in unanswered.message
