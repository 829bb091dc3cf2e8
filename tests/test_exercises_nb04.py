"""Notebook 04's checkers: ``prepare_images`` run on real batches of two sizes, and a model that takes raw images."""
from __future__ import annotations

import numpy as np
import pytest

from checking import said

from helpers.exercises import nb04


RIGHT = [
    lambda images: images.reshape(len(images), 784).astype("float32") / 255,
    lambda images: (images.reshape(-1, 28 * 28) / 255).astype("float32"),
    lambda images: np.float32(1 / 255) * images.reshape(images.shape[0], -1).astype(np.float32),
]


@pytest.mark.parametrize("function", RIGHT)
def test_prepare_images_right(function) -> None:
    said(nb04.q1, function, "correct", "any number of images")


def unanswered(images):
    return None  # replace with your code


@pytest.mark.parametrize("function, word", [
    (lambda images: images.reshape(10000, 784).astype("float32") / 255, "not for 7 images"),
    (lambda images: images.reshape(len(images), 784)[:10000].astype("float32") / 255 if len(images) == 10000
     else np.zeros((10000, 784), "float32"), "not for 7 images"),
    (lambda images: images.astype("float32") / 255, "still (10000, 28, 28)"),
    (lambda images: images.reshape(len(images), 784).astype("float32"), "255"),
    (lambda images: images.reshape(len(images), 784), "uint8"),
    (lambda images: (images.reshape(len(images), 784) / 255).astype("uint8"), "cut off the fractions"),
    (lambda images: images.reshape(len(images), 784) / 255, "float64"),
    (lambda images: (images.reshape(len(images), 784) / 255).astype("float16"), "too coarse"),
    (lambda images: (images.reshape(len(images), 784).astype("float32") / 255).T, "transposed"),
    (lambda images: images.reshape(len(images), 784).astype("float32") / 256, "256"),
    (lambda images: images.reshape(len(images), 784).astype("float32")[::-1] / 255, "in order"),
    (lambda images: images.reshape(len(images), 784).astype("float32") / 255 - 0.5, "negative"),
    (lambda images: images.reshape(len(images), 784)[:, :700].astype("float32") / 255, "(10000, 784)"),
])
def test_prepare_images_mistakes_are_named(function, word) -> None:
    said(nb04.q1, function, "incorrect", word)


def test_prepare_images_odd_answers(keras) -> None:
    said(nb04.q1, unanswered, "unanswered", "replace `return None`")
    said(nb04.q1, np.zeros((3, 784)), "incorrect", "not a function")
    said(nb04.q1, lambda images: 1 / 0, "incorrect", "ZeroDivisionError")
    said(nb04.q1, lambda: 0, "incorrect", "def line")
    said(nb04.q1, lambda images: list(images.reshape(len(images), 784) / 255), "incorrect", "numpy array")
    said(nb04.q1, lambda images: keras.Input((784,)), "incorrect", "KerasTensor")
    said(nb04.q1, keras.Input((28, 28)), "incorrect", "KerasTensor")
    said(nb04.q1, lambda images: keras.layers.Flatten()(images.astype("float32") / 255), "correct")  # a tensor is fine


def raw_model(keras, front, inputs=(28, 28), hidden=512, output_activation="softmax"):
    return keras.Sequential([keras.Input(shape=inputs), *front, keras.layers.Dense(hidden, activation="relu"),
                             keras.layers.Dense(10, activation=output_activation)])


def test_model_raw_right(keras) -> None:
    layers = keras.layers
    said(nb04.q2, raw_model(keras, [layers.Flatten(), layers.Rescaling(1 / 255)]), "correct")
    said(nb04.q2, raw_model(keras, [layers.Rescaling(1 / 255), layers.Flatten()]), "correct")
    said(nb04.q2, raw_model(keras, [layers.Reshape((784,)), layers.Flatten(), layers.Rescaling(1 / 255)]), "correct")
    namespace = {"keras": keras}
    exec(nb04.q2.solution_code, namespace)
    said(nb04.q2, namespace["model_raw"], "correct")


def test_model_raw_mistakes_are_named(keras) -> None:
    layers = keras.layers
    said(nb04.q2, raw_model(keras, [layers.Rescaling(1 / 255)]), "incorrect", "no layers.Flatten()")
    said(nb04.q2, raw_model(keras, [layers.Flatten()]), "incorrect", "no layers.Rescaling")
    said(nb04.q2, raw_model(keras, [layers.Flatten(), layers.Rescaling(255)]), "incorrect", "multiplies by 255")
    said(nb04.q2, raw_model(keras, [layers.Flatten(), layers.Rescaling(1 / 256)]), "incorrect", "1 / 255")
    said(nb04.q2, raw_model(keras, [layers.Flatten(), layers.Rescaling(1 / 255, offset=-1)]), "incorrect", "offset")
    said(nb04.q2, raw_model(keras, [], inputs=(784,)), "incorrect", "still takes flat images")
    said(nb04.q2, raw_model(keras, [layers.Flatten(), layers.Rescaling(1 / 255)], hidden=256), "incorrect", "Dense(512)")
    said(nb04.q2, raw_model(keras, [layers.Flatten(), layers.Rescaling(1 / 255)], output_activation=None),
         "incorrect", "no softmax")
    said(nb04.q2, raw_model(keras, [layers.Flatten(), layers.Rescaling(1 / 255)]).summary, "incorrect", "model itself")
    said(nb04.q2, None, "unanswered", "returns None")


def test_standardize_right_answers() -> None:
    namespace: dict = {}
    exec(nb04.q3.solution_code, namespace)

    def with_std_of_zero_guarded(train, test):  # another right spelling
        mean = train.mean(axis=0, keepdims=True)
        std = np.maximum(train.std(axis=0, keepdims=True), 1e-12)
        return (train - mean) / std, (test - mean) / std

    for answer in (namespace["standardize"], with_std_of_zero_guarded):
        assert nb04.q3.evaluate(answer).status == "correct"


@pytest.mark.parametrize("index", range(len(nb04.STANDARDIZE_MISTAKES)))
def test_standardize_mistakes_are_named(index) -> None:
    how, message = nb04.STANDARDIZE_MISTAKES[index]
    feedback = nb04.q3.evaluate(lambda train, test: nb04._standardized(train, test, **how))
    assert feedback.status == "incorrect" and feedback.message == message, feedback


@pytest.mark.parametrize("answer, word", [
    (lambda train, test: (train - train.mean(axis=0)) / train.std(axis=0), "return two arrays"),
    (lambda train, test: ((train - train.mean()) / 255, test / 255), "not yet"),
    (lambda train, test: (train.ravel(), test.ravel()), "keeps the shapes"),
])
def test_standardize_other_answers_are_named(answer, word) -> None:
    feedback = nb04.q3.evaluate(answer)
    assert feedback.status == "incorrect" and word in feedback.message, feedback


def test_rescaling_after_the_first_dense_is_named_without_contradiction(keras) -> None:
    layers = keras.layers
    model = keras.Sequential([keras.Input(shape=(28, 28)), layers.Flatten(), layers.Dense(512, activation="relu"),
                              layers.Rescaling(1 / 255), layers.Dense(10, activation="softmax")])
    feedback = nb04.q2.evaluate(model)
    assert feedback.status == "incorrect" and "flat but unscaled" in feedback.message, feedback
