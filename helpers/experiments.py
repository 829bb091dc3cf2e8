"""What-if experiments on the reference network (notebook 10) and on the convnet (notebook 11).

For each network a table of named recipes (``EXPERIMENTS``, ``CONVNET_EXPERIMENTS``), one function
that trains one recipe and measures it (``run_experiment``, ``run_convnet_experiment``), and a
committed results file that ``make experiments`` (``python -m helpers.experiments``) writes, so
the notebooks show minutes of training in seconds.
Each result carries a fingerprint of the code and recipe that made it: ``load_results``
refuses a file made by other code (a stale file) in one line that names ``make experiments``.
The fingerprint ignores docstrings, comments and layout: only a change in what runs makes a file stale.
"""
from __future__ import annotations

import ast
import hashlib
import inspect
import json
import math
import os
import platform
import sys
import textwrap
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from helpers import REPO_ROOT, shown_path
from helpers.data import load_mnist
from helpers.model import VALIDATION_SIZE, build_convnet, preprocess, validation_set

RESULTS_PATH = REPO_ROOT / "notebooks" / "results" / "experiments.json"
CONVNET_RESULTS_PATH = REPO_ROOT / "notebooks" / "results" / "convnet_experiments.json"
OPTIMIZERS = {"sgd": keras.optimizers.SGD, "rmsprop": keras.optimizers.RMSprop, "adam": keras.optimizers.Adam}


@dataclass(frozen=True)
class Recipe:
    """One way to train the network: notebook 05's recipe, with the settings an experiment changes."""

    units: int = 512              # neurons in the hidden layer
    dropout: float = 0.0          # fraction of hidden outputs zeroed at each training step (0: no Dropout layer)
    optimizer: str = "rmsprop"    # "sgd", "rmsprop" or "adam"
    learning_rate: float = 0.001
    batch_size: int = 128
    epochs: int = 5
    patience: int | None = None   # EarlyStopping on the validation loss after this many epochs without progress
    seed: int = 0
    validation: bool = True       # hold out the last 10,000 training images; False: train on all 60,000
    test: bool = False            # evaluate on the test set once, after training (the final runs only)

    def __post_init__(self) -> None:
        problems = [
            (not isinstance(self.units, int) or self.units < 1, f"units must be a whole number >= 1, got {self.units!r}"),
            (not 0 <= self.dropout < 1, f"dropout is a fraction in [0, 1), got {self.dropout!r}"),
            (self.optimizer not in OPTIMIZERS, f"optimizer must be one of {sorted(OPTIMIZERS)}, got {self.optimizer!r}"),
            (not self.learning_rate > 0, f"learning_rate must be > 0, got {self.learning_rate!r}"),
            (not isinstance(self.batch_size, int) or self.batch_size < 1, f"batch_size must be a whole number >= 1, got {self.batch_size!r}"),
            (not isinstance(self.epochs, int) or self.epochs < 1, f"epochs must be a whole number >= 1, got {self.epochs!r}"),
            (self.patience is not None and not self.validation, "patience (EarlyStopping) needs validation=True: "
                                                                "it watches the validation loss"),
            (not self.validation and not self.test, "with validation=False, set test=True, or nothing is measured"),
        ]
        for failed, message in problems:
            if failed:
                raise ValueError(f"Recipe: {message}")


REFERENCE = Recipe()
EXPERIMENTS: dict[str, Recipe] = {
    "reference": REFERENCE,
    "epochs_20": replace(REFERENCE, epochs=20),
    "early_stopping": replace(REFERENCE, epochs=20, patience=3),
    "units_32": replace(REFERENCE, units=32),
    "units_128": replace(REFERENCE, units=128),
    "units_2048": replace(REFERENCE, units=2048),
    "sgd_0.01": replace(REFERENCE, optimizer="sgd", learning_rate=0.01),
    "sgd_0.1": replace(REFERENCE, optimizer="sgd", learning_rate=0.1),
    "rmsprop_0.01": replace(REFERENCE, learning_rate=0.01),
    "adam_0.001": replace(REFERENCE, optimizer="adam"),
    "adam_0.0001": replace(REFERENCE, optimizer="adam", learning_rate=0.0001),
    "dropout_0.2": replace(REFERENCE, epochs=20, dropout=0.2),
    "dropout_0.5": replace(REFERENCE, epochs=20, dropout=0.5),
    "batch_32": replace(REFERENCE, batch_size=32),
    "batch_512": replace(REFERENCE, batch_size=512),
    "batch_2048": replace(REFERENCE, batch_size=2048),
    # the what-if with the best validation accuracy above, trained again to meet the test set, once
    "chosen": replace(REFERENCE, epochs=20, test=True),
    # notebook 05's recipe exactly (all 60,000 training images), five seeds: how much is luck
    **{f"seed_{seed}": replace(REFERENCE, seed=seed, validation=False, test=True) for seed in range(5)},
}


@dataclass(frozen=True)
class Data:
    """MNIST pre-processed (notebook 04), with the validation split as views of the training arrays."""

    x_all: np.ndarray   # all 60,000 training images, (60000, 784) float32
    y_all: np.ndarray   # their one-hot labels, (60000, 10)
    x_test: np.ndarray  # the 10,000 test images: touched once, at the end
    y_test: np.ndarray

    @property
    def x_train(self) -> np.ndarray:
        return self.x_all[:-VALIDATION_SIZE]

    @property
    def y_train(self) -> np.ndarray:
        return self.y_all[:-VALIDATION_SIZE]

    @property
    def x_val(self) -> np.ndarray:
        return self.x_all[-VALIDATION_SIZE:]

    @property
    def y_val(self) -> np.ndarray:
        return self.y_all[-VALIDATION_SIZE:]


def load_data() -> Data:
    """MNIST, pre-processed, as ``Data``; notebook 10 makes the same split in view of the learner."""
    (x_all, y_all), (x_test, y_test) = load_mnist()
    return Data(*preprocess(x_all, y_all), *preprocess(x_test, y_test))


def run_experiment(recipe: Recipe, data: Data, verbose: int = 0) -> dict:
    """Train a fresh network the way ``recipe`` says; return its per-epoch history and final metrics.

    Written out in notebook 10, which shows this very code (a test keeps the two copies the same).
    """
    keras.utils.set_random_seed(recipe.seed)
    model = keras.Sequential([keras.Input(shape=(784,)), keras.layers.Dense(recipe.units, activation="relu")])
    if recipe.dropout > 0:
        model.add(keras.layers.Dropout(recipe.dropout))
    model.add(keras.layers.Dense(10, activation="softmax"))

    if recipe.validation:
        x, y, validation = data.x_train, data.y_train, validation_set(data.x_val, data.y_val)
    else:
        x, y, validation = data.x_all, data.y_all, None
    model.compile(
        optimizer=OPTIMIZERS[recipe.optimizer](learning_rate=recipe.learning_rate),
        loss="categorical_crossentropy",
        metrics=["accuracy"],
        steps_per_execution=math.ceil(len(x) / recipe.batch_size),  # one compiled call per epoch (notebook 05)
    )
    callbacks = []
    if recipe.patience is not None:
        callbacks.append(keras.callbacks.EarlyStopping(monitor="val_loss", patience=recipe.patience,
                                                       restore_best_weights=True))
    start = time.perf_counter()
    history = model.fit(x, y, epochs=recipe.epochs, batch_size=recipe.batch_size,
                        validation_data=validation, callbacks=callbacks, verbose=verbose)
    result = {"history": {key: [round(float(v), 5) for v in values] for key, values in history.history.items()},
              "epochs_run": len(history.history["loss"]), "seconds": round(time.perf_counter() - start, 1)}
    if recipe.validation:  # the weights kept at the end (with EarlyStopping: those of the best epoch)
        result["val_loss"], result["val_accuracy"] = [round(v, 5) for v in model.evaluate(validation, verbose=0)]
    if recipe.test:
        result["test_loss"], result["test_accuracy"] = [round(v, 5) for v in model.evaluate(data.x_test, data.y_test,
                                                                                            verbose=0)]
    return result


# ------------------------------------------------------------------ notebook 11's convnet

@dataclass(frozen=True)
class ConvnetRecipe:
    """One way to train notebook 11's convnet: its steps 3-7 (those of the dense network), with what an experiment changes."""

    optimizer: str = "rmsprop"    # "sgd", "rmsprop" or "adam"
    learning_rate: float = 0.001  # the starting learning rate
    schedule: str = "constant"    # "constant", or "cosine": the rate falls to 0 along half a cosine over the training
    epochs: int = 5
    batch_size: int = 128
    seed: int = 0
    validation: bool = True       # hold out the last 10,000 training images; False: train on all 60,000
    test: bool = False            # evaluate on the test set once, after training (the final run only)

    def __post_init__(self) -> None:
        problems = [
            (self.optimizer not in OPTIMIZERS, f"optimizer must be one of {sorted(OPTIMIZERS)}, got {self.optimizer!r}"),
            (self.schedule not in ("constant", "cosine"), f"schedule must be 'constant' or 'cosine', got {self.schedule!r}"),
            (not self.learning_rate > 0, f"learning_rate must be > 0, got {self.learning_rate!r}"),
            (not isinstance(self.epochs, int) or self.epochs < 1, f"epochs must be a whole number >= 1, got {self.epochs!r}"),
            (not isinstance(self.batch_size, int) or self.batch_size < 1, f"batch_size must be a whole number >= 1, got {self.batch_size!r}"),
            (not self.validation and not self.test, "with validation=False, set test=True, or nothing is measured"),
        ]
        for failed, message in problems:
            if failed:
                raise ValueError(f"ConvnetRecipe: {message}")


CONVNET_REFERENCE = ConvnetRecipe()  # notebook 11's own training: the dense network's steps 3-7
CONVNET_EXPERIMENTS: dict[str, ConvnetRecipe] = {
    "same_steps": CONVNET_REFERENCE,
    "epochs_12": replace(CONVNET_REFERENCE, epochs=12),
    "adam": replace(CONVNET_REFERENCE, optimizer="adam"),
    "adam_epochs_12": replace(CONVNET_REFERENCE, optimizer="adam", epochs=12),
    "adam_epochs_12_cosine": replace(CONVNET_REFERENCE, optimizer="adam", epochs=12, schedule="cosine"),
    # the what-if with the best validation accuracy above, trained again on all 60,000 to meet the test set, once
    "chosen": replace(CONVNET_REFERENCE, epochs=12, validation=False, test=True),
}


def load_convnet_data() -> Data:
    """MNIST as notebook 11 prepares it: (28, 28, 1) images scaled to [0, 1], whole-number labels."""
    (x_all, y_all), (x_test, y_test) = load_mnist()
    as_images = lambda x: x.reshape(-1, 28, 28, 1).astype("float32") / 255  # noqa: E731
    return Data(as_images(x_all), y_all, as_images(x_test), y_test)


def run_convnet_experiment(recipe: ConvnetRecipe, data: Data, verbose: int = 0) -> dict:
    """Train notebook 11's convnet the way ``recipe`` says; return its history, epoch by epoch, and its final scores."""
    keras.utils.set_random_seed(recipe.seed)
    model = build_convnet()  # notebook 11's layers; compiled again below with the recipe's optimizer
    if recipe.validation:
        x, y, validation = data.x_train, data.y_train, validation_set(data.x_val, data.y_val)
    else:
        x, y, validation = data.x_all, data.y_all, None
    steps = math.ceil(len(x) / recipe.batch_size)
    learning_rate = recipe.learning_rate
    if recipe.schedule == "cosine":
        learning_rate = keras.optimizers.schedules.CosineDecay(recipe.learning_rate, decay_steps=recipe.epochs * steps)
    model.compile(optimizer=OPTIMIZERS[recipe.optimizer](learning_rate=learning_rate),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"], steps_per_execution=steps)
    start = time.perf_counter()
    history = model.fit(x, y, epochs=recipe.epochs, batch_size=recipe.batch_size, validation_data=validation,
                        verbose=verbose)
    result = {"history": {key: [round(float(v), 5) for v in values] for key, values in history.history.items()},
              "epochs_run": len(history.history["loss"]), "seconds": round(time.perf_counter() - start, 1)}
    if recipe.validation:
        result["val_loss"], result["val_accuracy"] = [round(v, 5) for v in model.evaluate(validation, verbose=0)]
    if recipe.test:
        result["test_loss"], result["test_accuracy"] = [round(v, 5) for v in model.evaluate(data.x_test, data.y_test,
                                                                                            verbose=0)]
    return result


# ------------------------------------------------------------------ the results files

class StaleResults(RuntimeError):
    """The results file is missing, or was made by other code or recipes than these."""


def code_of(function) -> str:
    """A function's code without its docstring, comments or layout (what the fingerprint hashes)."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    body = tree.body[0].body
    if len(body) > 1 and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        del body[0]
    return ast.unparse(tree)


def fingerprint(recipe: Recipe | ConvnetRecipe) -> str:
    """A short hash of the code that trains (this module's run_experiment or run_convnet_experiment, the network
    and the data preparation) and the recipe."""
    if isinstance(recipe, ConvnetRecipe):
        code = "\n".join(code_of(f) for f in (run_convnet_experiment, build_convnet, load_convnet_data, validation_set))
    else:
        code = "\n".join(code_of(f) for f in (run_experiment, load_data, preprocess, validation_set))
    text = code + json.dumps(asdict(recipe), sort_keys=True) + str(VALIDATION_SIZE)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def versions() -> dict[str, str]:
    return {"python": platform.python_version(), "tensorflow": tf.__version__, "keras": keras.__version__,
            "numpy": np.__version__}


def load_results(path: Path = RESULTS_PATH, table: dict | None = None) -> dict:
    """The cached results, checked against the current code and recipes (``StaleResults`` if they differ)."""
    table = EXPERIMENTS if table is None else table
    if not path.exists():
        raise StaleResults(f"no results file at {shown_path(path)}: run `make experiments` to make it")
    results = json.loads(path.read_text(encoding="utf-8"))
    stale = [name for name, recipe in table.items()
             if results["experiments"].get(name, {}).get("fingerprint") != fingerprint(recipe)]
    if stale:
        raise StaleResults(f"{shown_path(path)} is stale: {', '.join(stale)} changed (code or recipe) since it "
                           "was made; run `make experiments` to remake it")
    # The libraries that compute (not the Python version, which prints the same numbers: 3.11 and 3.13 are tested).
    made, now = results["made_with"], versions()
    changed = [f"{k} {made[k]}" for k in ("tensorflow", "keras", "numpy") if made.get(k) != now[k]]
    if changed:
        print(f"Note: the results were made with {', '.join(changed)}; "
              "a live re-run here may differ from them by more than the usual run-to-run wobble.")
    return results


def load_convnet_results(path: Path = CONVNET_RESULTS_PATH) -> dict:
    """Notebook 11's cached convnet results, checked like ``load_results``."""
    return load_results(path, CONVNET_EXPERIMENTS)


GRIDS = {  # name: (table, the function that runs one recipe, the data it trains on, the results file)
    "dense": (EXPERIMENTS, run_experiment, load_data, RESULTS_PATH),
    "convnet": (CONVNET_EXPERIMENTS, run_convnet_experiment, load_convnet_data, CONVNET_RESULTS_PATH),
}


def main(argv: list[str] | None = None) -> int:
    """Run every experiment of a table and write its results file (``make experiments``: both tables)."""
    names = (sys.argv[1:] if argv is None else argv) or list(GRIDS)
    unknown = [name for name in names if name not in GRIDS]
    if unknown:
        print(f"error: unknown grid {', '.join(unknown)}; choose from {', '.join(GRIDS)}", file=sys.stderr)
        return 2
    for name in names:
        run_grid(*GRIDS[name])
    return 0


def run_grid(table: dict, run, load, path: Path) -> None:
    """Run every recipe of ``table`` with ``run`` on ``load()``'s data; write the results to ``path``."""
    data = load()
    load_before = os.getloadavg()[0]
    start = time.perf_counter()
    experiments = {}
    for number, (name, recipe) in enumerate(table.items(), 1):
        result = run(recipe, data)
        keras.backend.clear_session()  # forget the previous models' graphs: memory stays flat
        experiments[name] = {"recipe": asdict(recipe), **result, "fingerprint": fingerprint(recipe)}
        scores = "  ".join(f"{k} {result[k]:.4f}" for k in ("val_accuracy", "test_accuracy") if k in result)
        print(f"[{number:2}/{len(table)}] {name:15} {result['epochs_run']:2} epochs  {scores}  "
              f"{result['seconds']:5.1f} s", flush=True)
    grid_seconds = time.perf_counter() - start
    results = {
        "made_with": versions(),
        "grid_seconds": round(grid_seconds, 1),
        "machine": {"cpu_count": os.cpu_count(), "load_average_before": round(load_before, 2),
                    "load_average_after": round(os.getloadavg()[0], 2)},
        "experiments": experiments,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    print(f"The whole grid ({len(table)} experiments) took {grid_seconds:.0f} s on {os.cpu_count()} CPU cores "
          f"(1-minute load average {load_before:.1f} before, {results['machine']['load_average_after']:.1f} after: "
          "other jobs on the same cores slow it down).")
    print(f"Wrote {shown_path(path)}")


if __name__ == "__main__":
    sys.exit(main())
