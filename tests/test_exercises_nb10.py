"""Notebook 10's checkers: predicting EarlyStopping (q1) and writing a variant in Keras (q2)."""
from __future__ import annotations

import numpy as np
import pytest

from helpers.exercises import nb10
from helpers.exercises.nb10 import early_stopping_epochs

keras = pytest.importorskip("keras")


# ---- q1: after how many epochs does EarlyStopping(patience=3) stop on the cached epochs_20 curve?

@pytest.fixture(scope="module")
def curve() -> tuple[list[float], int, int]:
    from helpers.experiments import load_results

    val_loss = load_results()["experiments"]["epochs_20"]["history"]["val_loss"]
    stopped, kept = early_stopping_epochs(val_loss, nb10.PATIENCE)
    return val_loss, stopped, kept


def keras_early_stopping(val_losses: list[float], patience: int, model) -> tuple[int, int]:
    """Keras's own EarlyStopping, fed the curve epoch by epoch: (epochs trained, best epoch), counted from 1."""
    callback = keras.callbacks.EarlyStopping(monitor="val_loss", patience=patience, restore_best_weights=True)
    callback.set_model(model)
    model.stop_training = False  # as fit() sets it
    callback.on_train_begin()
    for epoch, loss in enumerate(val_losses):
        callback.on_epoch_end(epoch, {"val_loss": loss})
        if model.stop_training:
            break
    return epoch + 1, callback.best_epoch + 1


def test_the_rule_is_keras_own() -> None:
    rng = np.random.default_rng(0)
    curves = [list(np.cumsum(rng.normal(-0.01, 0.03, size=20)) + 1) for _ in range(100)]
    curves += [[1.0, 0.9, 0.95, 0.96, 0.97, 0.5, 0.4], [1.0] * 6, list(np.linspace(1, 0, 20))]
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    for val_losses in curves:
        for patience in (1, 2, 3, 5):
            assert early_stopping_epochs(val_losses, patience) == keras_early_stopping(val_losses, patience, model)


def test_the_cached_early_stopping_run_stopped_where_the_rule_says(curve) -> None:
    """The run with patience=3 learns exactly as epochs_20 (same seed) until it stops: the answer is checkable."""
    from helpers.experiments import load_results

    run = load_results()["experiments"]["early_stopping"]
    _, stopped, kept = curve
    assert run["epochs_run"] == stopped
    assert run["recipe"]["patience"] == nb10.PATIENCE


def test_early_stop_answers(curve) -> None:
    val_loss, stopped, kept = curve
    assert stopped < len(val_loss), "the cached curve must show an early stop for this exercise"
    assert nb10.q1.evaluate(stopped).status == "correct"
    assert nb10.q1.evaluate(float(stopped)).status == "correct"
    mistakes = {kept: "weights it keeps", stopped - 1: "one short", len(val_loss): "stops before"}
    for answer, word in mistakes.items():
        feedback = nb10.q1.evaluate(answer)
        assert feedback.status == "incorrect" and word in feedback.message, (answer, str(feedback))
    assert nb10.q1.evaluate(stopped + 7).status == "incorrect"
    assert "quotes" in nb10.q1.evaluate(str(stopped)).message


# ---- q2: the variant written in Keras

def variant(units=128, rate=0.2, where="middle", optimizer=None, loss="categorical_crossentropy",
            compiled=True, with_input=True, output="softmax"):
    layers = [keras.layers.Dense(units, activation="relu"), keras.layers.Dense(10, activation=output)]
    if rate is not None:
        layers.insert({"before": 0, "middle": 1, "after": 2}[where], keras.layers.Dropout(rate))
    model = keras.Sequential(([keras.Input(shape=(784,))] if with_input else []) + layers)
    if compiled:
        model.compile(optimizer=optimizer or keras.optimizers.Adam(learning_rate=0.0005), loss=loss,
                      metrics=["accuracy"])
    return model


def test_variant_right() -> None:
    namespace = {"keras": keras}
    exec(nb10.q2.solution_code, namespace)
    assert nb10.q2.evaluate(namespace["model"]).status == "correct"
    feedback = nb10.q2.evaluate(variant(loss=keras.losses.CategoricalCrossentropy()))
    assert feedback.status == "correct" and "101,770 parameters" in feedback.message


@pytest.mark.parametrize("model, word", [
    (lambda: variant(units=512), "as in the reference"),
    (lambda: variant(units=64), "has 128"),
    (lambda: variant(rate=None), "no Dropout layer"),
    (lambda: variant(where="before"), "drops input pixels"),
    (lambda: variant(where="after"), "ten probabilities"),
    (lambda: variant(rate=0.8), "fraction dropped"),
    (lambda: variant(rate=0.5), "drops 0.2"),
    (lambda: variant(compiled=False), "not compiled"),
    (lambda: variant(optimizer="adam"), "keeps the default"),
    (lambda: variant(optimizer="rmsprop"), "RMSprop"),
    (lambda: variant(optimizer=keras.optimizers.Adam(learning_rate=0.05)), "uses 0.0005"),
    (lambda: variant(optimizer=keras.optimizers.AdamW(learning_rate=0.0005)), "AdamW"),
    (lambda: variant(loss="sparse_categorical_crossentropy"), "one-hot"),
    (lambda: variant(with_input=False), "keras.Input"),
    (lambda: variant(output="relu"), "softmax"),
    (lambda: keras.Sequential([keras.Input((784,)), keras.layers.Dense(10, activation="softmax")]), "two"),
], ids=["512", "64", "no-dropout", "before", "after", "0.8", "0.5", "uncompiled", "adam-string", "rmsprop",
        "lr", "adamw", "sparse", "no-input", "relu-output", "one-layer"])
def test_variant_mistakes_are_named(model, word) -> None:
    feedback = nb10.q2.evaluate(model())
    assert feedback.status == "incorrect" and word in feedback.message, str(feedback)
    assert str(feedback).count("\n") == 0


@pytest.mark.parametrize("answer, word", [("model", "a str"), (None, "replace None"), (keras.Sequential, "a class")])
def test_variant_wrong_types(answer, word) -> None:
    assert word in nb10.q2.evaluate(answer).message


def test_a_missing_results_file_is_said_and_the_answer_not_blamed(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(nb10, "RESULTS_PATH", tmp_path / "missing.json")
    feedback = nb10.q1.evaluate(10)
    assert feedback.status == "cannot check", feedback
    assert "make experiments" in feedback.message and str(feedback).startswith("⚠ Cannot check")
