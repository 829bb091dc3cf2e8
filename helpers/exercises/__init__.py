"""Self-checking exercises for the notebooks, in the manner of Kaggle Learn.

    from helpers.exercises import nb01
    nb01.q1.check(answer)   # one or two lines: ✔ Correct / ✘ Not quite / • Not answered yet
    nb01.q1.hint()
    nb01.q1.solution()

``core`` holds the ``Question`` class and the answer readers; each notebook's questions live in
their own module (``nb01`` ... ``nb11``), the prompts in the notebooks' markdown.

Checking numbers, shapes, NumPy arrays and functions is instant: TensorFlow is imported only by the
checks of Keras work (a model, a History, a loop over a model: nb02.q2, nb03.q2, nb04.q2, nb05.q2,
nb06.q3, nb07.q2, nb08.q3, nb08.q4, nb10.q2, nb11.q3) and by nb09.q1, whose right answer comes from
the saved model's probabilities for the test images.  tests/test_exercises.py runs every other check
in a fresh Python and finds no TensorFlow.
"""
from __future__ import annotations

from helpers.exercises import nb01, nb02, nb03, nb04, nb05, nb06, nb07, nb08, nb09, nb10, nb11
from helpers.exercises.core import PREFIXES, Feedback, Question

NOTEBOOK_MODULES = [nb01, nb02, nb03, nb04, nb05, nb06, nb07, nb08, nb09, nb10, nb11]
QUESTIONS: dict[str, Question] = {
    value.name: value for module in NOTEBOOK_MODULES for value in vars(module).values() if isinstance(value, Question)
}

__all__ = ["Feedback", "Question", "QUESTIONS", "PREFIXES", *(m.__name__.rsplit(".", 1)[1] for m in NOTEBOOK_MODULES)]
