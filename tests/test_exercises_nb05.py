"""nb05.q2, fit a small network: the checker inspects real History objects, and names each mistake."""
from __future__ import annotations

import pytest

from checking import notebook_variables
from helpers.exercises import nb05


@pytest.fixture(scope="module")
def data(mnist_test) -> dict:
    from helpers.model import preprocess

    return {**notebook_variables("nb05"), **dict(zip(("x_test", "y_test"), preprocess(*mnist_test)))}


def fresh_model(keras, loss="categorical_crossentropy", metrics=("accuracy",), optimizer="rmsprop"):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input(shape=(784,)), keras.layers.Dense(64, activation="relu"),
                              keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer=optimizer, loss=loss, metrics=list(metrics))
    return model


def fit(keras, data, images: int = 6000, epochs: int = 2, batch_size: int | None = 64, start: int = 0,
        x=None, y=None, validation="x_val", **compiled):
    model = fresh_model(keras, **compiled)
    x = data["x_train"][start:start + images] if x is None else x
    y = data["y_train"][start:start + images] if y is None else y
    validation_data = {"x_val": (data["x_val"], data["y_val"]), "none": None,
                       "test": (data["x_test"], data["y_test"])}[validation]
    return model.fit(x, y, epochs=epochs, batch_size=batch_size, validation_data=validation_data, verbose=0)


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
    assert "Validation accuracy" in feedback.message


def test_the_asked_fit_in_other_spellings_is_accepted(keras, data):
    history = fit(keras, data, optimizer=keras.optimizers.RMSprop(), loss=keras.losses.CategoricalCrossentropy(),
                  metrics=[keras.metrics.CategoricalAccuracy(name="accuracy")])
    assert nb05.q2.evaluate(history).status == "correct"


def test_the_solution_is_accepted(keras, data):
    variables = dict(data)
    exec(nb05.q2.solution_code, variables)
    assert nb05.q2.evaluate(variables["small_history"]).status == "correct"


@pytest.mark.parametrize("how, word", [
    ("shuffled labels", "learned little"),
    ("noise images", "learned little"),
    ("another slice", "x_train[6000:12000] better"),
    ("adam", "Adam"),
    ("rmsprop 0.01", "learning rate is 0.01"),
    ("no validation", "validation_data=(x_val, y_val)"),
    ("test set as validation", "measured on the test set"),
    ("training images as validation", "is not the network's accuracy on x_val"),
])
def test_a_fit_that_learned_the_wrong_thing_is_named(keras, data, how, word):
    import numpy as np

    rng = np.random.default_rng(0)
    kwargs = {
        "shuffled labels": {"y": rng.permutation(data["y_train"][:6000])},
        "noise images": {"x": rng.random((6000, 784), dtype=np.float32)},
        "another slice": {"start": 6000},
        "adam": {"optimizer": "adam"},
        "rmsprop 0.01": {"optimizer": keras.optimizers.RMSprop(learning_rate=0.01)},
        "no validation": {"validation": "none"},
        "test set as validation": {"validation": "test"},
    }.get(how, {})
    if how == "training images as validation":
        model = fresh_model(keras)
        history = model.fit(data["x_train"][:6000], data["y_train"][:6000], epochs=2, batch_size=64, verbose=0,
                            validation_data=(data["x_train"][:6000], data["y_train"][:6000]))
    else:
        history = fit(keras, data, **kwargs)
    feedback = nb05.q2.evaluate(history)
    assert feedback.status == "incorrect" and word in feedback.message, feedback


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


@pytest.mark.parametrize("answer, status, word", [
    ("higher", "correct", "average over the epoch"), (" Higher ", "correct", "final weights"),
    ("lower", "incorrect", "better"), ("the same", "incorrect", "does not measure"), ("same", "incorrect", "average"),
    ("up", "incorrect", "not one of the answers"), (0.99, "incorrect", "in quotes"),
])
def test_final_weights_prediction(answer, status, word):
    feedback = nb05.q3.evaluate(answer)
    assert feedback.status == status and word in feedback.message, feedback


def test_the_prediction_is_what_keras_measures(keras, data):
    """The claim the exercise teaches, measured: final weights beat the log's average of the last epoch."""
    model = fresh_model(keras)
    history = model.fit(data["x_train"][:6000], data["y_train"][:6000], epochs=2, batch_size=64, verbose=0)
    _, final_accuracy = model.evaluate(data["x_train"][:6000], data["y_train"][:6000], verbose=0)
    assert final_accuracy > history.history["accuracy"][-1]
