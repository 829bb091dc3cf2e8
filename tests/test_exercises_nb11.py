"""Notebook 11's exercises: the answers agree with Keras itself; known mistakes and wrong models are named."""
from __future__ import annotations

from typing import Any, Callable

import pytest

from helpers.exercises import nb11

CORRECT = [
    ("q1", 12816), ("q1", 16 * (5 * 5 * 32 + 1)), ("q1", 12816.0),
    ("q2", (12, 12, 16)), ("q2", [12, 12, 16]),
]

WRONG = [  # (question, answer, a distinctive word of the message naming the mistake)
    ("q1", 12800, "bias"), ("q1", 416, "all 32 channels"), ("q1", 400, "all 32 input channels"),
    ("q1", 12832, "per input channel"), ("q1", 4624, "3 x 3"), ("q1", 1296, "shared"),
    ("q1", 81 * 12816, "count them once"), ("q1", 86544, "dense"), ("q1", 12817, "is not it"),
    ("q2", (24, 24, 16), "conv2d alone"), ("q2", (14, 14, 16), "padding"), ("q2", (11, 11, 16), "28 - 5 + 1"),
    ("q2", (13, 13, 16), "3 x 3"), ("q2", (12, 12, 1), "filters"), ("q2", (12, 12, 32), "16 filters"),
    ("q2", (16, 12, 12), "channels last"), ("q2", (12, 12), "three axes"), ("q2", (1, 12, 12, 16), "batch axis"),
    ("q2", (2304,), "flattened"), ("q2", (10, 10, 16), "is not it"),
]

WRONG_TYPE = [
    ("q1", "12816", "quotes"), ("q1", [12816], "single number"), ("q1", True, "truth value"),
    ("q2", "(12, 12, 16)", "text"), ("q2", 12, "single number"), ("q2", (None, 12, 12, 16), "batch axis"),
    ("q2", (12.0, 12.0, 16.0), "whole numbers"), ("q2", {"shape": 1}, "tuple"),
    ("q3", 3, "keras.sequential"), ("q3", "small_convnet", "keras.sequential"),
]


@pytest.mark.parametrize("name, answer", CORRECT)
def test_right_answer_is_accepted(name: str, answer: Any) -> None:
    feedback = getattr(nb11, name).evaluate(answer)
    assert feedback.status == "correct", str(feedback)


@pytest.mark.parametrize("name, answer, word", WRONG + WRONG_TYPE)
def test_mistake_is_named_in_one_or_two_lines(name: str, answer: Any, word: str) -> None:
    feedback = getattr(nb11, name).evaluate(answer)
    assert feedback.status == "incorrect", str(feedback)
    assert word.lower() in feedback.message.lower(), str(feedback)
    assert str(feedback).count("\n") <= 1


# ---- the answers agree with Keras

def test_conv_params_and_output_shape_match_keras(keras) -> None:
    layer = keras.layers.Conv2D(nb11.Q1_FILTERS, kernel_size=nb11.Q1_KERNEL)
    layer.build((None, *nb11.Q1_INPUT))
    assert nb11.q1.evaluate(layer.count_params()).status == "correct"
    model = keras.Sequential([keras.Input(nb11.Q2_INPUT), keras.layers.Conv2D(nb11.Q2_FILTERS, nb11.Q2_KERNEL),
                              keras.layers.MaxPooling2D(nb11.Q2_POOL)])
    assert nb11.q2.evaluate(model.output_shape[1:]).status == "correct"


def convnet(keras, filters=(16, 32), kernel=3, padding="valid", activation="relu", flatten=True, dropout=True,
            extra_dense=False, last="softmax", input_shape=(28, 28, 1), blocks=2, with_input=True, pool=2,
            rate=0.5):
    layers = keras.layers
    stack: list = [keras.Input(shape=input_shape)] if with_input else []
    if input_shape != (28, 28, 1):
        stack.append(layers.Reshape((28, 28, 1)))
    for f in filters[:blocks]:
        stack += [layers.Conv2D(f, kernel, padding=padding, activation=activation), layers.MaxPooling2D(pool)]
    stack += [layers.GlobalAveragePooling2D() if flatten == "global" else layers.Flatten()] if flatten else []
    stack += [layers.Dropout(rate)] if dropout else []
    stack += [layers.Dense(64, activation="relu")] if extra_dense else []
    stack.append(layers.Dense(10, activation=last))
    return keras.Sequential(stack)


MODELS: list[tuple[Callable, str]] = [  # (a learner's model, a word of the feedback)
    (lambda k: convnet(k, filters=(32, 64)), "16 and 32"),
    (lambda k: convnet(k, filters=(32, 16)), "16 and 32"),
    (lambda k: convnet(k, kernel=5), "kernel_size"),
    (lambda k: convnet(k, padding="same"), "padding"),
    (lambda k: convnet(k, activation="sigmoid"), "relu"),
    (lambda k: convnet(k, flatten=False), "flatten"),
    (lambda k: convnet(k, dropout=False), "dropout"),
    (lambda k: convnet(k, extra_dense=True), "only the last one"),
    (lambda k: convnet(k, last="relu"), "softmax"),
    (lambda k: convnet(k, blocks=1), "two blocks"),
    (lambda k: convnet(k, input_shape=(784,)), "(28, 28, 1)"),
    (lambda k: convnet(k, with_input=False), "keras.Input"),
    (lambda k: convnet(k, flatten="global"), "not a global pooling layer"),
    (lambda k: convnet(k, pool=3), "pool_size (3, 3)"),
    (lambda k: convnet(k, rate=0.2), "Dropout(0.5)"),
]


def test_the_smaller_convnet_is_accepted_with_its_parameter_count(keras) -> None:
    model = convnet(keras)
    feedback = nb11.q3.evaluate(model)
    assert feedback.status == "correct", str(feedback)
    assert f"{model.count_params():,}" in feedback.message and model.count_params() == 12_810
    assert "37% of the notebook convnet's 34,826" in feedback.message


def test_the_notebook_convnets_parameter_count_is_the_helpers(keras) -> None:
    from helpers.model import build_convnet

    assert build_convnet().count_params() == nb11.NOTEBOOK_CONVNET_PARAMETERS


@pytest.mark.parametrize("index", range(len(MODELS)))
def test_a_wrong_model_is_named(keras, index: int) -> None:
    build, word = MODELS[index]
    feedback = nb11.q3.evaluate(build(keras))
    assert feedback.status == "incorrect", str(feedback)
    assert word.lower() in feedback.message.lower(), str(feedback)
    assert str(feedback).count("\n") <= 1


def test_a_model_class_is_not_a_model(keras) -> None:
    feedback = nb11.q3.evaluate(keras.Sequential)
    assert feedback.status == "incorrect" and "class" in feedback.message


def test_the_one_conv_network_count_is_keras_own(keras) -> None:
    model = keras.Sequential([keras.Input(shape=(28, 28, 1)), keras.layers.Conv2D(8, 3, activation="relu"),
                              keras.layers.Flatten(), keras.layers.Dense(10, activation="softmax")])
    feedback = nb11.q4.evaluate(model.count_params())
    assert feedback.status == "correct" and "54,170" in feedback.message, feedback


@pytest.mark.parametrize("answer, word", [
    (62810, "not 28 x 28"), (80, "Conv2D layer alone"), (54090, "Dense layer alone"), (54152, "biases"),
    (5498, "multiply"), (13610, "pools first"), (54000, "not it"),
])
def test_one_conv_network_mistakes_are_named(answer, word) -> None:
    feedback = nb11.q4.evaluate(answer)
    assert feedback.status == "incorrect" and word in feedback.message, feedback
