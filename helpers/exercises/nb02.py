"""Exercises of notebook 02 (the network): ``nb02.q1`` (parameters by hand), ``nb02.q2`` (build a Dense(256)
variant), ``nb02.q3`` (the output shape for a batch) and ``nb02.q4`` (the parameters of a deeper network)."""
from __future__ import annotations

from typing import Any

from helpers.exercises.core import (MODEL_IF_NONE, Feedback, Question, as_model, as_number, as_shape,
                                    dense_stack_mistake, known_mistake, right, show, wrong)

def _judge_dense_256(answer: Any) -> Feedback:
    value = as_number(answer)
    inputs, units = 784, 256
    expected = inputs * units + units
    if value == expected:
        return right(f"{inputs} x {units} weights + {units} biases = {expected}.")
    known = [
        (inputs * units, f"{inputs * units} counts the weights only: you forgot the {units} biases, one per unit."),
        (inputs * units + inputs, "that adds one bias per input; there is one bias per unit (256), not per input (784)."),
        (inputs * units + 2 * units, f"that counts {2 * units} biases; a Dense({units}) layer has one bias per unit: {units}."),
        (inputs * 512 + 512, f"{inputs * 512 + 512} is the reference 512-unit hidden layer; this layer has {units} units."),
        (expected + units * 10 + 10, "that includes a 10-unit output layer; count only the Dense(256) layer."),
        (inputs + units, "that adds inputs and units; every unit has one weight for each input, so multiply them."),
    ]
    found = known_mistake(value, known)
    if found:
        return found
    if abs(value - expected) <= 0.02 * expected:
        return wrong(f"{show(value)} is close: check the biases (one per unit).")
    return wrong(f"{show(value)} is not it: count one weight per input for each unit, plus the biases.")


def _judge_model_256(answer: Any) -> Feedback:
    model = as_model(answer, "your model")
    mistake = dense_stack_mistake(model, hidden_units=256, input_shape_expected=(784,))
    if mistake:
        return mistake
    return right(f"784 -> 256 (relu) -> 10 (softmax): {model.count_params():,} parameters; "
                 "model_256.summary() shows them layer by layer.")


def _judge_batch_output_shape(answer: Any) -> Feedback:
    shape = as_shape(answer, "the output shape")
    batch, units = 32, 512
    if shape == (batch, units):
        return right(f"{(batch, units)}: one row of {units} numbers for each of the {batch} images; "
                     "None in (None, 512) stands for the batch size.")
    return {
        (None, units): wrong(f"None stands for 'any batch size'; for a batch of {batch} images, write {batch}."),
        (units,): wrong(f"{(units,)} is the output for one image; a batch of {batch} gives one row per image."),
        (units, batch): wrong("the axes are swapped: the first axis counts the images (the batch)."),
        (batch, 784): wrong(f"{(batch, 784)} is the input of the hidden layer; the question asks for its output."),
        (784, units): wrong(f"{(784, units)} is the shape of the weight matrix W, not of the output."),
        (batch, 10): wrong(f"{(batch, 10)} is the output of the output layer; the question asks for the hidden one."),
        (batch, 28, 28): wrong("that is the shape of 32 raw images; the hidden layer outputs 512 numbers per image."),
    }.get(shape, wrong(f"{shape} is not it: one row per image in the batch, one column per unit."))


q1 = Question("nb02.q1", _judge_dense_256, answer_name="dense_256_params", expects="the number of parameters",
             hint="Each of the 256 units has one weight per input (784 of them) and one bias.",
             explanation="784 weights for each of the 256 units, plus one bias per unit.",
             solution_code="dense_256_params = 784 * 256 + 256")

q2 = Question("nb02.q2", _judge_model_256, answer_name="model_256", expects="your model",
             hint="Copy the keras.Sequential cell above and change one number: the hidden layer's units.",
             explanation="the same three entries as the reference network, with 256 hidden units.",
             solution_code="""
                 model_256 = keras.Sequential([
                     keras.Input(shape=(784,)),
                     keras.layers.Dense(256, activation="relu"),
                     keras.layers.Dense(10, activation="softmax"),
                 ])
             """,
             if_none=MODEL_IF_NONE)

q3 = Question("nb02.q3", _judge_batch_output_shape, answer_name="hidden_output_shape",
             expects="the shape (a tuple)",
             hint="The table above prints the hidden layer's output as (None, 512): what does None become "
                  "when 32 images go in at once?",
             explanation="the first axis is the batch (32 images), the second the 512 units of the hidden layer.",
             solution_code="hidden_output_shape = (32, 512)")


DEEPER = (784, 256, 128, 10)  # q4: inputs, two hidden layers, output


def _judge_deeper_params(answer: Any) -> Feedback:
    value = as_number(answer)
    pairs = list(zip(DEEPER, DEEPER[1:]))
    per_layer = [n * m + m for n, m in pairs]
    expected = sum(per_layer)
    if value == expected:
        return right(" + ".join(f"({n} x {m} + {m})" for n, m in pairs) + f" = {' + '.join(f'{p:,}' for p in per_layer)}"
                     f" = {expected:,}: fewer than the reference network's 407,050, with one layer more.")
    weights_only = sum(n * m for n, m in pairs)
    known = [
        (weights_only, f"{weights_only:,} counts the weights only: every layer also has one bias per unit."),
        (per_layer[0], f"{per_layer[0]:,} is the first hidden layer alone; add the second hidden layer and the "
                       "output layer."),
        (per_layer[0] + per_layer[2], "that leaves out the second hidden layer, Dense(128), whose inputs are the "
                                      "256 outputs of the first."),
        (784 * 256 + 256 + 784 * 128 + 128 + 784 * 10 + 10, "that gives every layer 784 inputs; a layer's inputs are "
                                                             "the outputs of the layer before it (784, then 256, then 128)."),
        (407050, "407,050 is the reference network (one hidden layer of 512); this one has hidden layers of 256 and 128."),
        (weights_only + 784 + 256 + 128, "that counts one bias per input; there is one bias per unit (256, 128 and 10)."),
    ]
    found = known_mistake(value, known)
    return found or wrong(f"{show(value)} is not it: for each layer, inputs x units weights plus one bias per unit; "
                          "then add the three layers.")


q4 = Question("nb02.q4", _judge_deeper_params, answer_name="deeper_params", expects="the number of parameters",
             hint="Count layer by layer, as for the reference network: a Dense layer with n inputs and m units has "
                  "n x m weights and m biases. The second hidden layer's inputs are the first one's 256 outputs.",
             explanation="three Dense layers: 784 -> 256, 256 -> 128, 128 -> 10, each with its weights and biases.",
             solution_code="deeper_params = (784 * 256 + 256) + (256 * 128 + 128) + (128 * 10 + 10)")
