"""Shared assertion for the exercise tests: what a checker says about an answer."""
from __future__ import annotations


def said(question, answer, status: str, *words: str) -> None:
    """``question`` judges ``answer`` with ``status`` ("correct", "incorrect", "unanswered"), naming each of ``words``, in at most two lines."""
    feedback = question.evaluate(answer)
    assert feedback.status == status, str(feedback)
    for word in words:
        assert word.lower() in feedback.message.lower(), str(feedback)
    assert str(feedback).count("\n") <= 1
