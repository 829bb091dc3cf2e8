"""Exercises of notebook 11 (the convnet): ``nb11.q1`` (a Conv2D layer's parameters), ``nb11.q2`` (an output
shape) and ``nb11.q3`` (a smaller convnet, written in Keras)."""
from __future__ import annotations

from typing import Any

from helpers.exercises.core import (Feedback, Question, Rejected, activation_name, as_model, as_number, as_shape,
                                    input_shape, known_mistake, layers_of, right, show, wrong)

# Exercise 1: Conv2D(16, kernel_size=5) on the output of the notebook's first block, (13, 13, 32).
Q1_INPUT, Q1_FILTERS, Q1_KERNEL = (13, 13, 32), 16, 5
# Exercise 2: Conv2D(16, kernel_size=5) then MaxPooling2D(2) on a (28, 28, 1) image.
Q2_INPUT, Q2_FILTERS, Q2_KERNEL, Q2_POOL = (28, 28, 1), 16, 5, 2
# Exercise 3: the notebook's convnet with half the filters.
Q3_FILTERS = (16, 32)
Q3_ORDER = ["Conv2D", "MaxPooling2D", "Conv2D", "MaxPooling2D", "Flatten", "Dropout", "Dense"]
NOTEBOOK_CONVNET_PARAMETERS = 34_826  # helpers.model.build_convnet (a test keeps them equal)


def _judge_conv_params(answer: Any) -> Feedback:
    value = as_number(answer)
    height, width, channels = Q1_INPUT
    k, filters = Q1_KERNEL, Q1_FILTERS
    weights = k * k * channels * filters
    expected = weights + filters
    if value == expected:
        return right(f"each of the {filters} filters has {k} x {k} x {channels} = {k * k * channels} weights "
                     f"and one bias: {filters} x {k * k * channels + 1} = {expected}.")
    positions = (height - k + 1) * (width - k + 1)
    known = [
        (weights, f"{weights} counts the weights only: add one bias per filter ({filters})."),
        (k * k * filters + filters, f"each filter looks at all {channels} channels of its input, so it has "
                                    f"{k} x {k} x {channels} weights, not {k} x {k}."),
        (k * k * filters, f"each filter has {k} x {k} x {channels} weights (all {channels} input channels), "
                          "and one bias."),
        (weights + channels, f"that adds one bias per input channel; there is one bias per filter ({filters})."),
        (3 * 3 * channels * filters + filters, f"that is a 3 x 3 kernel; this layer's kernel is {k} x {k}."),
        (positions * filters, f"{positions * filters} is the number of outputs ({height - k + 1} x {width - k + 1} "
                              f"positions x {filters} filters), not of parameters: the filter is shared by "
                              "all positions."),
        (positions * (weights + filters), "the same filter weights are used at every position: count them once."),
        (height * width * channels * filters + filters, "that is what a Dense layer with 16 units would need; a "
                                                        f"filter only sees a {k} x {k} window."),
    ]
    found = known_mistake(value, known)
    if found:
        return found
    return wrong(f"{show(value)} is not it: count one filter's weights (kernel height x width x input channels), "
                 "add its bias, multiply by the number of filters.")


def _judge_output_shape(answer: Any) -> Feedback:
    shape = as_shape(answer, "the shape", example="(26, 26, 32)")
    if None in shape:
        return wrong("leave out the batch axis (None in model.summary()): give (height, width, channels).")
    height, width, channels = Q2_INPUT
    k, filters, pool = Q2_KERNEL, Q2_FILTERS, Q2_POOL
    conv = (height - k + 1, width - k + 1, filters)
    expected = (conv[0] // pool, conv[1] // pool, filters)
    if shape == expected:
        return right(f"a {k} x {k} window fits {height} - {k} + 1 = {conv[0]} positions across, so Conv2D gives "
                     f"{conv}; pooling halves height and width: {expected}.")
    mistakes = {
        conv: f"{conv} is the output of Conv2D alone; MaxPooling2D({pool}) then halves height and width.",
        (height // pool, width // pool, filters): f"that would need padding='same'; without it a {k} x {k} window "
                                                  f"fits only {height - k + 1} positions across.",
        ((height - k) // pool, (width - k) // pool, filters): f"a {k}-wide window fits {height} - {k} + 1 = "
                                                              f"{height - k + 1} positions, not {height - k}.",
        ((height - 3 + 1) // pool, (width - 3 + 1) // pool, filters): f"that is for a 3 x 3 kernel; this one is "
                                                                      f"{k} x {k}.",
        (expected[0], expected[1], channels): f"the channels of a Conv2D output are its filters: {filters}, "
                                              f"not the input's {channels}.",
        (expected[0], expected[1], 32): f"this layer has {filters} filters (32 is the notebook's first layer).",
        (filters, expected[0], expected[1]): "Keras puts the channels last: (height, width, channels).",
        expected[:2]: "a Conv2D output has three axes: height, width and one channel per filter.",
        (1, *expected): "leave out the batch axis: give (height, width, channels).",
        (conv[0] * conv[1] * filters,): "that is flattened; give the shape before Flatten: (height, width, channels).",
        (expected[0] * expected[1] * filters,): "that is flattened; give (height, width, channels).",
    }
    if shape in mistakes:
        return wrong(mistakes[shape])
    return wrong(
        f"{shape} is not it: a {k} x {k} window without padding fits (size - {k} + 1) positions, "
        f"MaxPooling2D({pool}) halves that, and there is one channel per filter.")


def _judge_small_convnet(answer: Any) -> Feedback:
    answer = as_model(answer, "your model")
    shape = input_shape(answer)
    if shape is None:
        raise Rejected(wrong("the model does not know its input shape: start the list with "
                             "keras.Input(shape=(28, 28, 1))."))
    output_shape = tuple(answer.output_shape)
    if shape != (None, 28, 28, 1):
        hint = " (flattened images are for the dense network)" if shape == (None, 784) else ""
        return wrong(f"its input shape is {shape[1:]}; a convnet takes the images as (28, 28, 1){hint}.")
    convs, pools = layers_of(answer, "Conv2D"), layers_of(answer, "MaxPooling2D")
    if len(convs) != 2 or len(pools) != 2:
        return wrong(f"it has {len(convs)} Conv2D and {len(pools)} MaxPooling2D layers; it needs two blocks of each.")
    filters = tuple(layer.filters for layer in convs)
    if filters != Q3_FILTERS:
        return wrong(f"its Conv2D layers have {filters[0]} and {filters[1]} filters; this one has "
                     f"{Q3_FILTERS[0]} and {Q3_FILTERS[1]}.")
    for layer in convs:
        if tuple(layer.kernel_size) != (3, 3):
            return wrong(f"a kernel_size of {layer.kernel_size}; use 3 (a 3 x 3 window) as in the notebook.")
        if layer.padding != "valid":
            return wrong("padding='same' keeps the borders; leave padding out (the default, 'valid'), "
                         "as in the notebook.")
        if activation_name(layer) != "relu":
            return wrong(f"a Conv2D with activation {activation_name(layer)!r}; use activation='relu'.")
    if len(output_shape) != 2:
        return wrong(f"its output has shape {output_shape}: add keras.layers.Flatten() before the last Dense, "
                     "so each image gives one row of 10 probabilities.")
    dense = layers_of(answer, "Dense")
    if output_shape != (None, 10) or not dense or dense[-1] is not answer.layers[-1]:
        return wrong(f"its output shape is {output_shape}; end with Dense(10, activation='softmax'), one "
                     "probability per digit.")
    if activation_name(answer.layers[-1]) != "softmax":
        return wrong(f"the last layer's activation is {activation_name(answer.layers[-1])!r}; use 'softmax', "
                     "so the 10 outputs are probabilities.")
    if len(dense) != 1:
        return wrong(f"it has {len(dense)} Dense layers; this convnet has only the last one, Dense(10).")
    if not layers_of(answer, "Dropout"):
        return wrong("add keras.layers.Dropout(0.5) after Flatten, as in the notebook.")
    order = [type(layer).__name__ for layer in answer.layers]
    if order != Q3_ORDER:
        return wrong(f"its layers are {', '.join(order)}; this convnet is {', '.join(Q3_ORDER)}, as in the "
                     "notebook (Flatten, not a global pooling layer, before Dropout).")
    for pool in pools:
        if tuple(pool.pool_size) != (2, 2):
            return wrong(f"a MaxPooling2D with pool_size {tuple(pool.pool_size)}; use MaxPooling2D(2), which halves "
                         "height and width, as in the notebook.")
    rate = layers_of(answer, "Dropout")[0].rate
    if rate != 0.5:
        return wrong(f"a Dropout rate of {rate}; use Dropout(0.5), as in the notebook.")
    total = answer.count_params()
    parts = " + ".join(f"{layer.count_params():,}" for layer in answer.layers if layer.count_params())
    return right(f"{total:,} parameters ({parts}): {total / NOTEBOOK_CONVNET_PARAMETERS:.0%} of the notebook "
                 f"convnet's {NOTEBOOK_CONVNET_PARAMETERS:,}.")


q1 = Question("nb11.q1", _judge_conv_params, answer_name="conv_params", expects="the number of parameters",
              hint="A filter covers a 5 x 5 window in every one of the 32 input channels, and has one bias; "
                   "the same filter is used at every position.",
              explanation="16 filters, each with 5 x 5 x 32 weights and one bias.",
              solution_code="conv_params = 16 * (5 * 5 * 32 + 1)")

q2 = Question("nb11.q2", _judge_output_shape, answer_name="output_shape", expects="the shape as a tuple",
              hint="Without padding, a 5 x 5 window fits 28 - 5 + 1 positions across; MaxPooling2D(2) halves "
                   "height and width; there is one channel per filter.",
              explanation="Conv2D(16, 5): (24, 24, 16); MaxPooling2D(2): (12, 12, 16).",
              solution_code="output_shape = (12, 12, 16)")

q3 = Question("nb11.q3", _judge_small_convnet, answer_name="small_convnet", expects="your keras.Sequential model",
              hint="Copy the notebook's keras.Sequential([...]) list and change the two filter counts to 16 and 32; "
                   "no need to compile or train it.",
              explanation="the notebook's convnet with 16 and 32 filters.",
              solution_code="""
                  import keras
                  from keras import layers
                  small_convnet = keras.Sequential([
                      keras.Input(shape=(28, 28, 1)),
                      layers.Conv2D(16, kernel_size=3, activation="relu"),
                      layers.MaxPooling2D(pool_size=2),
                      layers.Conv2D(32, kernel_size=3, activation="relu"),
                      layers.MaxPooling2D(pool_size=2),
                      layers.Flatten(),
                      layers.Dropout(0.5),
                      layers.Dense(10, activation="softmax"),
                  ])
              """)


# q4: Conv2D(8, 3) on a 28 x 28 x 1 image, then Flatten and Dense(10): a case the notebook does not show.
Q4_FILTERS, Q4_KERNEL = 8, 3


def _judge_one_conv_then_dense(answer: Any) -> Feedback:
    value = as_number(answer)
    conv = Q4_FILTERS * (Q4_KERNEL * Q4_KERNEL * 1 + 1)
    side = 28 - Q4_KERNEL + 1
    flat = side * side * Q4_FILTERS
    dense = flat * 10 + 10
    expected = conv + dense
    if value == expected:
        return right(f"Conv2D: 8 x (3 x 3 x 1 + 1) = {conv}; its output is {side} x {side} x 8 = {flat:,} numbers, so "
                     f"Dense(10) has {flat:,} x 10 + 10 = {dense:,}; in all {expected:,}. The convolution is cheap; "
                     "the Dense layer after a big feature map is not, which is what pooling is for.")
    known = [
        (conv + 28 * 28 * Q4_FILTERS * 10 + 10, "Flatten sees the Conv2D's output, which is smaller than the image "
                                                f"without padding: {side} x {side}, not 28 x 28."),
        (conv, f"{conv} is the Conv2D layer alone; Flatten has no parameters, but the Dense(10) after it has many."),
        (dense, f"{dense:,} is the Dense layer alone; add the Conv2D layer's {conv}."),
        (Q4_FILTERS * Q4_KERNEL * Q4_KERNEL + flat * 10, "that forgets the biases: one per filter and one per unit."),
        (conv + flat + 10, "every one of the 10 units has one weight per input, so multiply the 5,408 inputs by 10."),
        (conv + (side // 2) ** 2 * Q4_FILTERS * 10 + 10, "that pools first; this network has no MaxPooling2D."),
    ]
    found = known_mistake(value, known)
    return found or wrong(f"{show(value)} is not it: the Conv2D's parameters, then the Dense layer's, whose inputs "
                          "are every number of the Conv2D's output.")


q4 = Question("nb11.q4", _judge_one_conv_then_dense, answer_name="conv_dense_params",
              expects="the number of parameters",
              hint="Three things you have done separately: a Conv2D's parameters (filters x (window x channels + 1)), "
                   "its output shape without padding (28 - 3 + 1 per side, one channel per filter), and a Dense "
                   "layer's parameters (inputs x units + units).",
              explanation="Conv2D(8, 3): 80 parameters; its output 26 x 26 x 8 = 5,408 numbers; Dense(10) on them: "
                          "54,090.",
              solution_code="conv_dense_params = 8 * (3 * 3 * 1 + 1) + (26 * 26 * 8) * 10 + 10")
