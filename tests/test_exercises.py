"""The exercise checkers: right answers pass, each known mistake is named, None and wrong types never raise."""
from __future__ import annotations

import math
import subprocess
import sys
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any, Callable

import numpy as np
import pytest

from helpers import exercises
from helpers.exercises import QUESTIONS


@dataclass(frozen=True)
class FromData:
    """An answer built from the MNIST arrays (loaded once per module), so the parameter lists stay cheap."""

    build: Callable[[SimpleNamespace], Any]
    label: str

    def __repr__(self) -> str:
        return self.label


@pytest.fixture(scope="module")
def data() -> SimpleNamespace:
    from helpers.data import load_mnist

    (x_train, y_train), (x_test, y_test) = load_mnist()
    return SimpleNamespace(x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)


@pytest.fixture(scope="module")
def keras():
    import keras

    return keras


def resolve(answer: Any, data: SimpleNamespace) -> Any:
    return answer.build(data) if isinstance(answer, FromData) else answer


def prepared(x: np.ndarray) -> np.ndarray:
    return x.reshape(len(x), 784).astype("float32") / 255


def one_hot(labels: np.ndarray, classes: int = 10) -> np.ndarray:
    return np.eye(classes, dtype="float32")[labels]


def softmax(z: np.ndarray, axis: int = 1) -> np.ndarray:
    exp = np.exp(z - z.max(axis=axis, keepdims=True))
    return exp / exp.sum(axis=axis, keepdims=True)


# Learners' versions of the nb08 functions: the right ones and one for each mistake.
def rmsprop(update_v: Callable, update_w: Callable, order: str = "wv") -> Callable:
    def rmsprop_step(w, g, v, learning_rate=0.001, rho=0.9, epsilon=1e-7):
        new_v = update_v(v, g, rho)
        new_w = update_w(w, g, v, new_v, learning_rate, epsilon)
        return {"wv": (new_w, new_v), "vw": (new_v, new_w), "w": new_w}[order]
    return rmsprop_step


def v_right(v, g, rho):
    return rho * v + (1 - rho) * g**2


def w_right(w, g, v, new_v, lr, eps):
    return w - lr * g / np.sqrt(new_v + eps)


def rmsprop_ignoring_arguments(w, g, v, learning_rate=0.001, rho=0.9, epsilon=1e-7):
    new_v = 0.9 * v + 0.1 * g**2
    return w - 0.001 * g / np.sqrt(new_v + 1e-7), new_v


def rmsprop_without_hyperparameters(w, g, v):
    new_v = 0.9 * v + 0.1 * g**2
    return w - 0.001 * g / np.sqrt(new_v + 1e-7), new_v


def rmsprop_crashing(w, g, v, learning_rate=0.001, rho=0.9, epsilon=1e-7):
    return w @ np.ones(99), v


RMSPROP_RIGHT = rmsprop(v_right, w_right)
RMSPROP_FLOAT32 = rmsprop(lambda v, g, rho: np.float32(rho) * v.astype("float32") + np.float32(1 - rho) * g.astype("float32")**2,
                          lambda w, g, v, nv, lr, eps: w.astype("float32") - lr * g.astype("float32") / np.sqrt(nv + eps))


def grad_right(logits, y_onehot):
    return (softmax(logits) - y_onehot) / len(logits)


def grad_naive_softmax(logits, y_onehot):
    exp = np.exp(logits)
    return (exp / exp.sum(axis=1, keepdims=True) - y_onehot) / logits.shape[0]


def unanswered_rmsprop_step(w, g, v, learning_rate=0.001, rho=0.9, epsilon=1e-7):
    return None  # replace with your code


def unanswered_softmax_crossentropy_grad(logits, y_onehot):
    return None  # replace with your code


CORRECT = [
    ("nb01.q1", 6265), ("nb01.q1", np.int64(6265)), ("nb01.q1", 6265.0),
    ("nb01.q1", FromData(lambda d: (d.y_train == 7).sum(), "(y_train == 7).sum()")),
    ("nb01.q2", (10000, 28, 28)), ("nb01.q2", [10000, 28, 28]),
    ("nb01.q2", FromData(lambda d: d.x_test.shape, "x_test.shape")),
    ("nb02.q1", 200960), ("nb02.q1", 784 * 256 + 256),
    ("nb02.q2", 407050),
    ("nb03.q1", -math.log(0.7)), ("nb03.q1", 0.3567), ("nb03.q1", np.float32(0.35667)), ("nb03.q1", np.array([0.3567])),
    ("nb03.q2", "sparse_categorical_crossentropy"), ("nb03.q2", "SparseCategoricalCrossentropy"),
    ("nb04.q1", FromData(lambda d: prepared(d.x_test), "x_test.reshape(10000, 784).astype('float32') / 255")),
    ("nb04.q1", FromData(lambda d: (d.x_test.reshape(10000, 784) / 255).astype("float32"), "(x / 255).astype(float32)")),
    ("nb04.q2", FromData(lambda d: one_hot(d.y_test), "one-hot float32")),
    ("nb04.q2", FromData(lambda d: one_hot(d.y_test).astype(int), "one-hot int")),
    ("nb05.q1", 938), ("nb05.q1", math.ceil(60000 / 64)), ("nb05.q1", np.ceil(60000 / 64)),
    ("nb06.q1", 2.22), ("nb06.q1", (10000 - 9778) / 10000 * 100), ("nb06.q1", 2.2),
    ("nb06.q2", 0.88), ("nb06.q2", 44 / 50), ("nb06.q2", np.float64(0.8801)),
    ("nb08.q1", RMSPROP_RIGHT), ("nb08.q1", RMSPROP_FLOAT32),
    ("nb08.q2", grad_right), ("nb08.q2", grad_naive_softmax),
]

WRONG = [  # (question, answer, a distinctive word of the message naming the mistake)
    ("nb01.q1", 1028, "test set"), ("nb01.q1", 60000, "all training images"),
    ("nb01.q1", 6742, "labelled 1"), ("nb01.q1", 5923, "labelled 0"), ("nb01.q1", 980, "test images are labelled 0"),
    ("nb01.q1", 6000, "count the labels"),
    ("nb01.q2", (60000, 28, 28), "x_train"), ("nb01.q2", (10000, 784), "preprocessing"),
    ("nb01.q2", (28, 28), "one image"), ("nb01.q2", (10000,), "y_test"), ("nb01.q2", (28, 28, 10000), "order"),
    ("nb01.q2", (1, 2, 3), "x_test.shape"),
    ("nb02.q1", 200704, "biases"), ("nb02.q1", 784 * 257, "per input"), ("nb02.q1", 201216, "512 biases"),
    ("nb02.q1", 401920, "512-unit"), ("nb02.q1", 1040, "multiply"), ("nb02.q1", 200900, "close"),
    ("nb02.q2", 406528, "forgot the biases"), ("nb02.q2", 401920, "hidden layer alone"),
    ("nb02.q2", 5130, "output layer alone"), ("nb02.q2", 407040, "output layer's 10 biases"),
    ("nb02.q2", 406538, "hidden layer's 512 biases"), ("nb02.q2", 407000, "close"), ("nb02.q2", 1306, "neurons"),
    ("nb03.q1", 0.1549, "log10"), ("nb03.q1", -0.3567, "minus sign"), ("nb03.q1", 2.3026, "ln(0.1)"),
    ("nb03.q1", 1.6094, "ln(0.2)"), ("nb03.q1", 4.2687, "summed"), ("nb03.q1", 0.5146, "log2"),
    ("nb03.q1", 0.7, "probability itself"), ("nb03.q1", 0.36, "decimals"),
    ("nb03.q2", "categorical_crossentropy", "one-hot"), ("nb03.q2", "CategoricalCrossentropy", "one-hot"),
    ("nb03.q2", "binary_crossentropy", "two classes"), ("nb03.q2", "mse", "regression"),
    ("nb03.q2", "mean_squared_error", "regression"), ("nb03.q2", "hinge", "not the one"),
    ("nb03.q2", "sparse_categorical_crossentrophy", "did you mean 'sparse_categorical_crossentropy'"),
    ("nb03.q2", "sparse_categorial_crossentropy", "did you mean 'sparse_categorical_crossentropy'"),
    ("nb03.q2", "Sparse_Categorical_Crossentropy", "case-sensitive"),
    ("nb03.q2", " sparse_categorical_crossentropy ", "spaces"), ("nb03.q2", "cross", "not a keras loss name"),
    ("nb04.q1", FromData(lambda d: d.x_test.astype("float32") / 255, "no reshape"), "forgot to reshape"),
    ("nb04.q1", FromData(lambda d: d.x_test.reshape(10000, 784).astype("float32"), "no scaling"), "255"),
    ("nb04.q1", FromData(lambda d: d.x_test.reshape(10000, 784), "uint8"), "uint8"),
    ("nb04.q1", FromData(lambda d: (d.x_test.reshape(10000, 784) / 255).astype("uint8"), "uint8 after /255"),
     "cut off the fractions"),
    ("nb04.q1", FromData(lambda d: d.x_test.reshape(10000, 784) / 255, "float64"), "halves the memory"),
    ("nb04.q1", FromData(lambda d: prepared(d.x_test).astype("float16"), "float16"), "too coarse"),
    ("nb04.q1", FromData(lambda d: prepared(d.x_test).T, "transposed"), "transposed"),
    ("nb04.q1", FromData(lambda d: d.x_test.reshape(10000, 784).astype("float32") / 256, "/256"), "256"),
    ("nb04.q1", FromData(lambda d: prepared(d.x_train), "training set"), "training set"),
    ("nb04.q1", FromData(lambda d: prepared(d.x_test)[::-1], "rows reversed"), "in order"),
    ("nb04.q1", FromData(lambda d: prepared(d.x_test)[:, :700], "cut"), "(10000, 784)"),
    ("nb04.q2", FromData(lambda d: d.y_test, "integer labels"), "to_categorical"),
    ("nb04.q2", FromData(lambda d: np.eye(9)[np.minimum(d.y_test, 8)], "9 classes"), "10 classes"),
    ("nb04.q2", FromData(lambda d: one_hot(d.y_train), "training labels"), "training labels"),
    ("nb04.q2", FromData(lambda d: one_hot(d.y_train[:10000]), "first training labels"), "training labels"),
    ("nb04.q2", FromData(lambda d: one_hot(d.y_test[np.random.default_rng(0).permutation(10000)]), "shuffled"),
     "shuffling"),
    ("nb04.q2", FromData(lambda d: 2 * one_hot(d.y_test), "twos"), "single 1"),
    ("nb05.q1", 937, "rounded down"), ("nb05.q1", 937.5, "whole number"), ("nb05.q1", 469, "128"),
    ("nb05.q1", 60000, "number of images"), ("nb05.q1", 900.25, "whole number"), ("nb05.q1", 12, "batches of 64"),
    ("nb06.q1", 97.78, "accuracy"), ("nb06.q1", 0.0222, "fraction"), ("nb06.q1", 222, "count"),
    ("nb06.q1", 0.9778, "accuracy"), ("nb06.q1", 9778, "right answers"), ("nb06.q1", 3, "share of wrong"),
    ("nb06.q2", 44 / 53, "precision"), ("nb06.q2", 134 / 155, "accuracy"), ("nb06.q2", 44, "count"),
    ("nb06.q2", 88, "fraction between 0 and 1"), ("nb06.q2", 0.8, "count from 0"), ("nb06.q2", 0.5, "truly"),
    ("nb08.q1", rmsprop(v_right, lambda w, g, v, nv, lr, eps: w - lr * g / (nv + eps)), "square root"),
    ("nb08.q1", rmsprop(v_right, lambda w, g, v, nv, lr, eps: w - lr * g / np.sqrt(v + eps)), "old v"),
    ("nb08.q1", rmsprop(v_right, lambda w, g, v, nv, lr, eps: w + lr * g / np.sqrt(nv + eps)), "sign"),
    ("nb08.q1", rmsprop(lambda v, g, rho: rho * v + (1 - rho) * g, w_right), "square the gradient"),
    ("nb08.q1", rmsprop(v_right, lambda w, g, v, nv, lr, eps: w - lr * g / (np.sqrt(nv) + eps)),
     "epsilon is outside"),
    ("nb08.q1", rmsprop(lambda v, g, rho: (1 - rho) * v + rho * g**2, w_right), "swapped"),
    ("nb08.q1", rmsprop(v_right, w_right, order="w"), "only new_w"),
    ("nb08.q1", rmsprop(v_right, w_right, order="vw"), "swapped"),
    ("nb08.q1", rmsprop_ignoring_arguments, "ignores"),
    ("nb08.q1", rmsprop(v_right, lambda w, g, v, nv, lr, eps: w - 2 * lr * g / np.sqrt(nv + eps)), "new_w is not"),
    ("nb08.q2", lambda z, y: (y - softmax(z)) / len(z), "sign is flipped"),
    ("nb08.q2", lambda z, y: (z - y) / len(z), "forgot the softmax"),
    ("nb08.q2", lambda z, y: softmax(z) - y, "batch size"),
    ("nb08.q2", lambda z, y: y - softmax(z), "batch size"),
    ("nb08.q2", lambda z, y: (softmax(z, axis=0) - y) / len(z), "axis"),
    ("nb08.q2", lambda z, y: (softmax(z) - y) / z.shape[1], "number of classes"),
    ("nb08.q2", lambda z, y: ((softmax(z) - y) / len(z)).sum(axis=0), "shape"),
    ("nb08.q2", lambda z, y: (softmax(z) - y).T, "shape"),
    ("nb08.q2", lambda z, y: (softmax(z) - y) * 2, "not the gradient yet"),
]

WRONG_TYPE = [  # (question, answer, a word of the message): rejected cleanly, never a traceback
    ("nb01.q1", "6265", "quotes"), ("nb01.q1", "seven", "text"), ("nb01.q1", [6265], "single number"),
    ("nb01.q1", True, "truth value"), ("nb01.q1", float("nan"), "finite"),
    ("nb01.q2", "(10000, 28, 28)", "text"), ("nb01.q2", 10000, "single number"),
    ("nb01.q2", (10000.0, 28.0, 28.0), "whole numbers"), ("nb01.q2", {"shape": 1}, "tuple"),
    ("nb01.q2", FromData(lambda d: d.x_test, "x_test itself"), "x_test.shape"),
    ("nb02.q1", "200960", "quotes"), ("nb02.q2", np.zeros(3), "shape (3,)"),
    ("nb03.q1", "0.357", "quotes"), ("nb03.q1", np.array(["a"]), "single number"),
    ("nb03.q2", 3, "string"), ("nb03.q2", ["sparse_categorical_crossentropy"], "string"),
    ("nb04.q1", [[0.0] * 784], "numpy array"), ("nb04.q1", "x_test", "numpy array"), ("nb04.q1", 3, "numpy array"),
    ("nb04.q2", [[0.0] * 10], "numpy array"), ("nb04.q2", FromData(lambda d: one_hot(d.y_test).astype(str), "str"),
                                                "numbers"),
    ("nb05.q1", True, "truth value"),
    ("nb06.q1", "2.22%", "text"), ("nb06.q2", {"recall": 0.88}, "single number"),
    ("nb08.q1", 5, "not a function"), ("nb08.q1", (1, 2), "without parentheses"),
    ("nb08.q1", rmsprop_without_hyperparameters, "def line"), ("nb08.q1", rmsprop_crashing, "raised ValueError"),
    ("nb08.q1", lambda w, g, v, **kw: ("a", "b"), "not an array of numbers"),
    ("nb08.q2", "softmax_crossentropy_grad", "not a function"),
    ("nb08.q2", lambda z, y: 1 / 0, "ZeroDivisionError"),
]


def case_id(case: tuple) -> str:
    name, answer = case[0], case[1]
    shown = getattr(answer, "__name__", None) or repr(answer)
    return f"{name}-{shown[:40]}"


@pytest.mark.parametrize("name, answer", CORRECT, ids=map(case_id, CORRECT))
def test_right_answer_is_accepted(name: str, answer: Any, data: SimpleNamespace) -> None:
    feedback = QUESTIONS[name].evaluate(resolve(answer, data))
    assert feedback.status == "correct", str(feedback)
    assert str(feedback).startswith("✔ Correct: ")


@pytest.mark.parametrize("name, answer, word", WRONG, ids=map(case_id, WRONG))
def test_known_mistake_is_named(name: str, answer: Any, word: str, data: SimpleNamespace) -> None:
    feedback = QUESTIONS[name].evaluate(resolve(answer, data))
    assert feedback.status == "incorrect", str(feedback)
    assert word.lower() in feedback.message.lower(), str(feedback)
    assert str(feedback).startswith("✘ Not quite: ") and str(feedback).count("\n") <= 1


@pytest.mark.parametrize("name, answer, word", WRONG_TYPE, ids=map(case_id, WRONG_TYPE))
def test_wrong_type_is_rejected_cleanly(name: str, answer: Any, word: str, data: SimpleNamespace, capsys) -> None:
    question = QUESTIONS[name]
    feedback = question.evaluate(resolve(answer, data))
    assert feedback.status == "incorrect", str(feedback)
    assert word.lower() in feedback.message.lower(), str(feedback)
    assert question.check(resolve(answer, data)) is None
    assert capsys.readouterr().out == f"{feedback}\n"


UNANSWERED = {"nb08.q1": unanswered_rmsprop_step, "nb08.q2": unanswered_softmax_crossentropy_grad}


@pytest.mark.parametrize("name", QUESTIONS)
def test_none_is_not_answered_yet(name: str, capsys) -> None:
    question = QUESTIONS[name]
    feedback = question.evaluate(None)
    assert feedback.status == "unanswered"
    assert "replace None" in feedback.message and "run the cell again" in feedback.message
    assert question.check(None) is None
    output = capsys.readouterr().out
    assert output.startswith("• Not answered yet: ") and output.count("\n") == 1


@pytest.mark.parametrize("name", UNANSWERED)
def test_stub_function_returning_none_is_not_answered_yet(name: str) -> None:
    feedback = QUESTIONS[name].evaluate(UNANSWERED[name])
    assert feedback.status == "unanswered"
    assert "replace `return None`" in feedback.message


@pytest.mark.parametrize("name", QUESTIONS)
def test_hint_and_solution_print(name: str, capsys) -> None:
    question = QUESTIONS[name]
    assert question.hint() is None
    hint = capsys.readouterr().out
    assert hint.startswith("Hint: ") and len(hint) > 30
    assert question.solution() is None
    solution = capsys.readouterr().out
    assert solution.startswith("Solution: ") and question.answer_name in solution
    assert question.solution_code.splitlines()[-1].strip() in solution


@pytest.mark.parametrize("name", QUESTIONS)
def test_solution_code_is_accepted(name: str, data: SimpleNamespace, keras) -> None:
    """The code solution() prints, run as in the notebook, gives an answer the checker accepts."""
    namespace = {"keras": keras, **vars(data)}
    # a notebook module may say what its exercise cells can use (e.g. prepared data, the trained model)
    namespace.update(getattr(getattr(exercises, name.split(".")[0]), "notebook_variables", dict)())
    exec(QUESTIONS[name].solution_code, namespace)
    feedback = QUESTIONS[name].evaluate(namespace[QUESTIONS[name].answer_name])
    assert feedback.status == "correct", str(feedback)


@pytest.mark.parametrize("status, answer", [("correct", 6265), ("incorrect", 1028), ("unanswered", None)])
def test_check_prints_the_feedback_and_returns_none(status: str, answer: Any, capsys) -> None:
    assert exercises.nb01.q1.check(answer) is None
    output = capsys.readouterr().out
    assert output.startswith(exercises.PREFIXES[status]) and output.count("\n") == 1


def test_every_notebook_has_two_questions() -> None:
    for number in range(1, 9):
        module = getattr(exercises, f"nb{number:02d}")
        names = [q.name for q in vars(module).values() if isinstance(q, exercises.Question)]
        assert names[:2] == [f"nb{number:02d}.q1", f"nb{number:02d}.q2"]


def test_import_stays_light() -> None:
    """Importing the checkers must not pull in TensorFlow or Keras (checks stay instant)."""
    code = "import sys, helpers.exercises; print(sorted({'tensorflow', 'keras'} & set(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


# ---- the checkers' expectations agree with Keras itself

def test_parameter_counts_match_keras(keras) -> None:
    dense = keras.layers.Dense(256)
    dense.build((None, 784))
    assert exercises.nb02.q1.evaluate(dense.count_params()).status == "correct"
    model = keras.Sequential([keras.Input((784,)), keras.layers.Dense(512, activation="relu"),
                              keras.layers.Dense(10, activation="softmax")])
    assert exercises.nb02.q2.evaluate(model.count_params()).status == "correct"


def test_loss_names_match_keras(keras) -> None:
    for name in exercises.nb03.KERAS_LOSS_NAMES:
        keras.losses.get(name)  # raises for a name Keras does not know
    accepted = [answer for name, answer in CORRECT if name == "nb03.q2"]
    accepted += [keras.losses.SparseCategoricalCrossentropy(), keras.losses.SparseCategoricalCrossentropy,
                 keras.losses.sparse_categorical_crossentropy]
    for answer in accepted:
        assert exercises.nb03.q2.evaluate(answer).status == "correct", answer
    labels, probabilities = np.array([3, 0]), np.full((2, 10), 0.1)
    for answer in accepted[:2]:  # the strings really work as integer-label losses in Keras
        value = keras.losses.get(answer)(labels, probabilities)
        assert np.allclose(keras.ops.convert_to_numpy(value), -np.log(0.1), atol=1e-5)
    feedback = exercises.nb03.q2.evaluate(keras.losses.CategoricalCrossentropy())
    assert feedback.status == "incorrect" and "one-hot" in feedback.message


def test_rmsprop_solution_matches_keras(keras) -> None:
    namespace: dict[str, Any] = {}
    exec(QUESTIONS["nb08.q1"].solution_code, namespace)
    rmsprop_step = namespace["rmsprop_step"]
    rng = np.random.default_rng(0)
    w = rng.normal(size=(4, 3)).astype("float32")
    # a tiny first gradient while v is still 0 shows where epsilon goes (inside the square root)
    gradients = [rng.normal(scale=scale, size=(4, 3)).astype("float32") for scale in (1e-4, 1.0, 0.5)]
    settings = {"learning_rate": 0.01, "rho": 0.8, "epsilon": 1e-6}
    variable = keras.Variable(w)
    optimizer = keras.optimizers.RMSprop(**settings)
    mine_w, mine_v = w.astype("float64"), np.zeros_like(w, dtype="float64")
    for g in gradients:
        optimizer.apply_gradients([(keras.ops.convert_to_tensor(g), variable)])
        mine_w, mine_v = rmsprop_step(mine_w, g.astype("float64"), mine_v, **settings)
        assert np.allclose(variable.numpy(), mine_w, rtol=1e-5, atol=1e-6)


def test_softmax_gradient_solution_matches_tensorflow(keras) -> None:
    import tensorflow as tf

    namespace: dict[str, Any] = {}
    exec(QUESTIONS["nb08.q2"].solution_code, namespace)
    rng = np.random.default_rng(0)
    logits = rng.normal(scale=2.0, size=(6, 10))
    y = np.eye(10)[rng.integers(0, 10, size=6)]
    z = tf.constant(logits)
    with tf.GradientTape() as tape:
        tape.watch(z)
        loss = keras.losses.CategoricalCrossentropy()(y, keras.activations.softmax(z))
    expected = tape.gradient(loss, z).numpy()
    assert np.allclose(namespace["softmax_crossentropy_grad"](logits, y), expected, atol=1e-6)
