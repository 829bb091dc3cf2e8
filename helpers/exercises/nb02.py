"""Exercises of notebook 02 (parameters): ``nb02.q1`` and ``nb02.q2``."""
from __future__ import annotations

from typing import Any

from helpers.exercises.core import Feedback, Question, right, wrong, show, as_number, known_mistake

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


def _judge_total_params(answer: Any) -> Feedback:
    value = as_number(answer)
    hidden, output = 784 * 512 + 512, 512 * 10 + 10
    expected = hidden + output
    if value == expected:
        return right(f"{hidden} (hidden) + {output} (output) = {expected}, the total model.summary() shows.")
    known = [
        (784 * 512 + 512 * 10, f"{784 * 512 + 512 * 10} counts the weights only: you forgot the biases (512 + 10)."),
        (hidden, f"{hidden} is the hidden layer alone; add the output layer."),
        (output, f"{output} is the output layer alone; add the hidden layer."),
        (hidden + 512 * 10, "close: check the biases: you left out the output layer's 10 biases."),
        (784 * 512 + output, "close: check the biases: you left out the hidden layer's 512 biases."),
        (784 + 512 + 10, f"{784 + 512 + 10} is the number of neurons; the question asks for parameters (weights and biases)."),
        (784 * 256 + 256, f"{784 * 256 + 256} is the Dense(256) layer of exercise 1; count the reference network."),
    ]
    found = known_mistake(value, known)
    if found:
        return found
    if abs(value - expected) <= 0.01 * expected:
        return wrong(f"{show(value)} is close: check the biases (one per unit, in both layers).")
    return wrong(f"{show(value)} is not it: add up weights and biases of both Dense layers.")


q1 = Question("nb02.q1", _judge_dense_256, answer_name="dense_256_params", expects="the number of parameters",
             hint="Each of the 256 units has one weight per input (784 of them) and one bias.",
             explanation="784 weights for each of the 256 units, plus one bias per unit.",
             solution_code="dense_256_params = 784 * 256 + 256")

q2 = Question("nb02.q2", _judge_total_params, answer_name="total_params", expects="the number of parameters",
             hint="Count each Dense layer as inputs x units + units, then add the two; model.summary() shows "
                  "the same total.",
             explanation="the hidden layer (784 inputs, 512 units) plus the output layer (512 inputs, 10 units).",
             solution_code="total_params = (784 * 512 + 512) + (512 * 10 + 10)  # or model.count_params()")
