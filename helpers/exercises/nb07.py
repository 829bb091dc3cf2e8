"""Exercises of notebook 07 (the diagram): ``nb07.q1`` and ``nb07.q2``."""
from __future__ import annotations

from typing import Any

from helpers.exercises.core import Feedback, Question, right, wrong, show, as_number, known_mistake

LAYER_SIZES = (784, 512, 10)


def _judge_neurons(answer: Any) -> Feedback:
    value = as_number(answer)
    inputs, hidden, output = LAYER_SIZES
    expected = sum(LAYER_SIZES)
    if value == expected:
        return right(f"{inputs} input + {hidden} hidden + {output} output = {expected} neurons.")
    known = [
        (hidden + output, f"you forgot the input layer: its {inputs} pixels are drawn as neurons too."),
        (inputs + hidden, f"you forgot the output layer: {output} neurons, one per digit."),
        (inputs + output, f"you forgot the hidden layer: {hidden} neurons."),
        (len(LAYER_SIZES), "that is the number of layers; count the neurons in each."),
        (len(LAYER_SIZES) - 1, "that is the number of Dense layers; count the neurons in every layer."),
        (inputs * hidden + hidden * output, "that is the number of connections; count the neurons (circles)."),
    ]
    return known_mistake(value, known) or wrong(f"{show(value)} is not it: add up the neurons of all three layers.")


def _judge_connections(answer: Any) -> Feedback:
    value = as_number(answer)
    inputs, hidden, output = LAYER_SIZES
    expected = inputs * hidden + hidden * output
    if value == expected:
        return right(f"{inputs} x {hidden} + {hidden} x {output} = {expected} lines, one per weight.")
    known = [
        (expected + hidden + output, f"that includes the {hidden + output} biases; they are not connections "
                                     "between neurons."),
        (inputs * hidden, f"{inputs * hidden} is only the first layer of connections; add hidden to output."),
        (hidden * output, f"{hidden * output} is only the second layer of connections; add input to hidden."),
        (inputs * hidden + hidden, "that is the first layer with its biases; count only the lines, between both "
                                   "pairs of layers."),
        (inputs * hidden * output, "you multiplied all three layers; add the connections of each pair of "
                                   "neighbouring layers."),
        (sum(LAYER_SIZES), "that is the number of neurons; count the lines between them."),
    ]
    return known_mistake(value, known) or wrong(f"{show(value)} is not it: every neuron connects to every neuron "
                                          "in the next layer.")


q1 = Question("nb07.q1", _judge_neurons, answer_name="neurons_in_diagram", expects="the number of neurons",
             hint="Count the circles in each layer: one per input pixel, one per hidden unit, one per digit.",
             explanation="input pixels + hidden units + output units.",
             solution_code="neurons_in_diagram = 784 + 512 + 10")

q2 = Question("nb07.q2", _judge_connections, answer_name="connections_in_diagram",
             expects="the number of connections",
             hint="Every neuron is joined to every neuron of the next layer; biases are not lines between neurons.",
             explanation="every input joins every hidden neuron, and every hidden neuron joins every output neuron.",
             solution_code="connections_in_diagram = 784 * 512 + 512 * 10")
