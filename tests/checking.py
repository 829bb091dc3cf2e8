"""Shared helpers of the exercise tests: what a checker says about an answer, and what a notebook has defined
when the learner reaches its exercises."""
from __future__ import annotations

from typing import Any

from helpers.exercises.core import mnist, x_test_prepared


def said(question, answer, status: str, *words: str) -> None:
    """``question`` judges ``answer`` with ``status`` ("correct", "incorrect", "unanswered"), naming each of ``words``, in at most two lines."""
    feedback = question.evaluate(answer)
    assert feedback.status == status, str(feedback)
    for word in words:
        assert word.lower() in feedback.message.lower(), str(feedback)
    assert str(feedback).count("\n") <= 1


def notebook_variables(notebook: str) -> dict[str, Any]:
    """The variables notebook ``notebook`` ("nb05") has defined at its exercises, beyond the raw MNIST arrays:
    the tests run the solutions with them."""
    return {"nb05": _nb05_variables, "nb06": _nb06_variables, "nb09": _nb09_variables}.get(notebook, dict)()


def _nb05_variables() -> dict[str, Any]:
    """Notebook 05's prepared training set and its validation part."""
    import keras

    from helpers.model import VALIDATION_SIZE, preprocess

    (x_train, y_train), _ = mnist()
    x_train, y_train = preprocess(x_train, y_train)
    return {"keras": keras, "layers": keras.layers, "x_train": x_train, "y_train": y_train,
            "x_val": x_train[-VALIDATION_SIZE:], "y_val": y_train[-VALIDATION_SIZE:]}


def _nb06_variables() -> dict[str, Any]:
    """``model`` stands in for notebook 05's network: the same architecture, trained for one short epoch."""
    import keras

    from helpers.exercises.nb06 import my_copy_path
    from helpers.model import preprocess

    (x_train, y_train), _ = mnist()
    x, y = preprocess(x_train[:6000], y_train[:6000])
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input(shape=(784,)), keras.layers.Dense(512, activation="relu"),
                              keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=1, batch_size=128, verbose=0)
    return {"keras": keras, "model": model, "my_copy_path": my_copy_path()}


def _nb09_variables() -> dict[str, Any]:
    """``probabilities`` are the reference model's for the test set (trained here when outputs/ has none)."""
    from helpers import import_tensorflow_quietly

    import_tensorflow_quietly()
    from helpers.model import load_trained

    model, _ = load_trained()
    (x_train, y_train), (x_test, y_test) = mnist()
    return {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test,
            "x_test_prepared": x_test_prepared(), "probabilities": model.predict(x_test_prepared(), verbose=0)}
