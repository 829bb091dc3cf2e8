"""nb08.q2: a softmax summed without keepdims gets advice, not only NumPy's broadcast error."""
from __future__ import annotations

import numpy as np

from helpers.exercises import nb08


def grad_without_keepdims(logits, y_onehot):
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return (e / e.sum(axis=1) - y_onehot) / len(logits)


def grad_max_without_keepdims(logits, y_onehot):
    e = np.exp(logits - logits.max(axis=1))
    return (e / e.sum(axis=1, keepdims=True) - y_onehot) / len(logits)


def test_sum_without_keepdims_gets_advice():
    feedback = nb08.q2.evaluate(grad_without_keepdims)
    assert feedback.status == "incorrect"
    assert "broadcast" in feedback.message and "keepdims=True" in feedback.message
    assert str(feedback).count("\n") == 1


def test_max_without_keepdims_gets_the_same_advice():
    feedback = nb08.q2.evaluate(grad_max_without_keepdims)
    assert feedback.status == "incorrect" and "keepdims=True" in feedback.message


def test_other_errors_keep_their_own_message():
    feedback = nb08.q2.evaluate(lambda z, y: z @ np.ones(99))
    assert "raised ValueError" in feedback.message and "keepdims" not in feedback.message
