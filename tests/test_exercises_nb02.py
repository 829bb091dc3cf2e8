"""Notebook 02's checkers: parameters by hand, the Dense(256) variant built in Keras, the output shape of a batch."""
from __future__ import annotations

import numpy as np
import pytest

from checking import said

from helpers.exercises import nb02


def network(keras, hidden=256, inputs=(784,), hidden_activation="relu", outputs=10, output_activation="softmax",
            with_input=True):
    layers = [keras.layers.Dense(hidden, activation=hidden_activation),
              keras.layers.Dense(outputs, activation=output_activation)]
    return keras.Sequential(([keras.Input(shape=inputs)] if with_input else []) + layers)


@pytest.mark.parametrize("answer, word", [
    (200704, "biases"), (784 * 257, "per input"), (201216, "512 biases"), (401920, "512-unit"), (1040, "multiply"),
    (200900, "close"), (100, "not it"),
])
def test_dense_256_mistakes(answer, word) -> None:
    said(nb02.q1, answer, "incorrect", word)


def test_dense_256_right_and_odd_types(keras) -> None:
    said(nb02.q1, 200960, "correct")
    model = network(keras)
    said(nb02.q1, model.layers[0].count_params(), "correct")
    said(nb02.q1, model.layers[0].count_params, "incorrect", "add ()", ".count_params()")
    said(nb02.q1, model.layers[0].output, "incorrect", "KerasTensor")
    said(nb02.q1, "200960", "incorrect", "quotes")


def test_model_256_right(keras) -> None:
    said(nb02.q2, network(keras), "correct", "203,530")
    namespace = {"keras": keras}
    exec(nb02.q2.solution_code, namespace)
    said(nb02.q2, namespace["model_256"], "correct")


@pytest.mark.parametrize("options, word", [
    ({"hidden": 512}, "reference network"), ({"hidden": 128}, "128 units"), ({"output_activation": None}, "no softmax"),
    ({"output_activation": "sigmoid"}, "no softmax"), ({"hidden_activation": None}, "activation is linear"),
    ({"outputs": 9}, "one per digit"), ({"inputs": (28, 28)}, "input shape is (28, 28)"),
    ({"with_input": False}, "no input shape"),
])
def test_model_256_mistakes_are_named(options, word, keras) -> None:
    said(nb02.q2, network(keras, **options), "incorrect", word)


def test_model_256_odd_answers(keras) -> None:
    model = network(keras)
    said(nb02.q2, model.summary, "incorrect", "method .summary", "model itself")
    said(nb02.q2, model.count_params(), "incorrect", "keras.Sequential")
    said(nb02.q2, keras.Sequential, "incorrect", "class Sequential")
    said(nb02.q2, keras.layers.Dense(256), "incorrect", "one layer")
    said(nb02.q2, [keras.Input((784,)), keras.layers.Dense(256)], "incorrect", "list of layers")
    said(nb02.q2, model.layers[-1].output, "incorrect", "KerasTensor")
    three = keras.Sequential([keras.Input((784,)), keras.layers.Dense(256, activation="relu"),
                              keras.layers.Dense(64, activation="relu"), keras.layers.Dense(10, activation="softmax")])
    said(nb02.q2, three, "incorrect", "3 Dense layers")
    # what model.summary() returns, passed as the answer
    said(nb02.q2, None, "unanswered", "summary() prints the table and returns None")


def test_batch_output_shape(keras) -> None:
    said(nb02.q3, (32, 512), "correct")
    said(nb02.q3, [32, 512], "correct")
    model = keras.Sequential([keras.Input((784,)), keras.layers.Dense(512, activation="relu", name="hidden")])
    said(nb02.q3, tuple(model(np.zeros((32, 784), "float32")).shape), "correct")  # the shape of a real batch
    for answer, word in [((None, 512), "any batch size"), ((512,), "one image"), ((512, 32), "swapped"),
                         ((32, 784), "input"), ((784, 512), "weight matrix"), ((32, 10), "output layer"),
                         ((32, 28, 28), "raw images"), ((64, 512), "not it")]:
        said(nb02.q3, answer, "incorrect", word)
    said(nb02.q3, model.layers[0].output, "incorrect", "KerasTensor")
    said(nb02.q3, model(np.zeros((32, 784), "float32")), "incorrect", "data itself", "(32, 512)")
    said(nb02.q3, np.array((32, 512)), "incorrect", "a shape is a tuple")


def test_the_deeper_network_count_is_keras_own(keras) -> None:
    model = keras.Sequential([keras.Input(shape=(784,)), keras.layers.Dense(256, activation="relu"),
                              keras.layers.Dense(128, activation="relu"), keras.layers.Dense(10, activation="softmax")])
    said(nb02.q4, model.count_params(), "correct", "235,146")


@pytest.mark.parametrize("answer, word", [
    (234752, "weights only"), (200960, "first hidden layer alone"), (202250, "second hidden layer"),
    (309290, "outputs of the layer before"), (407050, "reference network"), (235920, "one bias per input"),
    (235000, "not it"), ("235146", "quotes"),
])
def test_deeper_network_mistakes_are_named(answer, word) -> None:
    said(nb02.q4, answer, "incorrect", word)
