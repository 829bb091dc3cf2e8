"""Exercises of notebook 02 (the network): ``nb02.q1`` (parameters by hand), ``nb02.q2`` (build a Dense(256)
variant) and ``nb02.q3`` (the output shape for a batch)."""
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
