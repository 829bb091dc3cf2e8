"""The compiled training loop: notebook 08 writes it out, helpers.training_loop keeps the same function for
`make bench`, and it computes what fit's log computes (each image once per epoch, each batch counted by its size)."""
from __future__ import annotations

import ast
import json
import re

import numpy as np
import pytest

from helpers import REPO_ROOT

NOTEBOOK = REPO_ROOT / "notebooks" / "08_under_the_hood.ipynb"


def bare(function: ast.FunctionDef) -> str:
    """The function without its docstring and annotations: what the notebook shows learners."""
    function.returns = None
    for argument in function.args.args:
        argument.annotation = None
    body = function.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        function.body = body[1:]
    return ast.dump(function)


def notebook_cells() -> list[dict]:
    return json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]


def test_notebook_08_writes_out_the_helpers_function() -> None:
    helper = ast.parse((REPO_ROOT / "helpers" / "training_loop.py").read_text(encoding="utf-8"))
    [in_helper] = [node for node in helper.body
                   if isinstance(node, ast.FunctionDef) and node.name == "compiled_epoch"]
    in_notebook = [node for cell in notebook_cells() if cell["cell_type"] == "code"
                   for node in ast.parse("".join(cell["source"])).body
                   if isinstance(node, ast.FunctionDef) and node.name == "compiled_epoch"]
    assert len(in_notebook) == 1, "notebook 08 should define compiled_epoch once"
    assert bare(in_notebook[0]) == bare(in_helper), (
        "notebook 08's compiled_epoch differs from helpers/training_loop.py: change both the same way")


def printed(pattern: str) -> list[re.Match]:
    text = "".join("".join(output.get("text", "")) for cell in notebook_cells() if cell["cell_type"] == "code"
                   for output in cell.get("outputs", []))
    return list(re.finditer(pattern, text))


def test_the_stored_run_shows_each_version_faster() -> None:
    seconds = {int(m[1]): float(m[2]) for m in printed(r"epoch (\d)  [\w ]+? +([\d.]+) s")}
    assert sorted(seconds) == [1, 2, 3, 4, 5]
    # after tracing (epoch 2) and compiling (epoch 4): Python per step > a graph per step > XLA per epoch
    assert seconds[1] > seconds[3] > seconds[5]


def test_the_prose_claim_loop_and_fit_differ_less_than_fits_seeds() -> None:
    prose = "".join("".join(c["source"]) for c in notebook_cells() if c["cell_type"] == "markdown")
    assert "differ by less than `fit` differs from itself" in prose
    [loop_vs_fit] = printed(r"the loop above [\d.]+%, fit \(notebook 05\) [\d.]+%: ([\d.]+) points apart")
    [seeds] = printed(r"fit with \d seeds \(notebook 10\): [\d.]+% to [\d.]+%, ([\d.]+) points apart")
    assert float(loop_vs_fit[1]) < float(seeds[1])


@pytest.fixture(scope="module")
def small_problem(keras):
    import tensorflow as tf

    rng = np.random.default_rng(0)
    x = tf.constant(rng.normal(size=(1000, 20)).astype("float32"))   # 7 batches of 128 and one of 104
    y = tf.constant(np.eye(4, dtype="float32")[rng.integers(0, 4, size=1000)])
    return x, y


def small_model(keras):
    keras.utils.set_random_seed(1)
    model = keras.Sequential([keras.Input(shape=(20,)), keras.layers.Dense(16, activation="relu"),
                              keras.layers.Dense(4, activation="softmax")])
    model.compile(loss="categorical_crossentropy", metrics=["accuracy"])
    return model


@pytest.mark.parametrize("jit_compile", [False, True])
def test_with_no_update_an_epoch_reports_what_evaluate_does(keras, small_problem, jit_compile) -> None:
    from helpers.training_loop import compiled_epoch

    x, y = small_problem
    model = small_model(keras)
    expected_loss, expected_accuracy = model.evaluate(x, y, verbose=0)
    train_epoch = compiled_epoch(model, keras.optimizers.SGD(learning_rate=0.0),
                                 keras.losses.CategoricalCrossentropy(), jit_compile=jit_compile)
    loss, accuracy = (float(v) for v in train_epoch(x, y))
    # every image once, each batch weighted by its size: the mean over all 1,000 images
    assert loss == pytest.approx(expected_loss, rel=1e-5)
    assert accuracy == pytest.approx(expected_accuracy, abs=1e-6)


def test_epochs_learn(keras, small_problem) -> None:
    from helpers.training_loop import compiled_epoch

    x, y = small_problem
    model = small_model(keras)
    before, _ = model.evaluate(x, y, verbose=0)
    train_epoch = compiled_epoch(model, keras.optimizers.RMSprop(), keras.losses.CategoricalCrossentropy())
    losses = [float(train_epoch(x, y)[0]) for _ in range(3)]
    after, _ = model.evaluate(x, y, verbose=0)
    assert after < before and losses[2] < losses[0]
