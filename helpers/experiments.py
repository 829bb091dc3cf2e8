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

from helpers import CONVNET_RESULTS_PATH, RESULTS_PATH, import_tensorflow_quietly, shown_path

import_tensorflow_quietly()  # before keras: `make experiments` shows no C++ start-up lines
import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from helpers.data import load_mnist
from helpers.model import VALIDATION_SIZE, build_batchnorm_convnet, build_convnet, preprocess, validation_set

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

CONVNETS = {"small": build_convnet, "batchnorm": build_batchnorm_convnet}  # notebook 11's two networks
SCHEDULES = ("constant", "cosine", "warmup_cosine")


@dataclass(frozen=True)
class ConvnetRecipe:
    """One way to train a convnet of notebook 11: its steps 3-7 (those of the dense network), with what an experiment
    changes."""

    network: str = "small"        # "small": build_convnet; "batchnorm": build_batchnorm_convnet
    optimizer: str = "rmsprop"    # "sgd", "rmsprop" or "adam"
    learning_rate: float = 0.001  # the starting learning rate (the peak, with a warm-up)
    schedule: str = "constant"    # "cosine": the rate falls to 0 along half a cosine over the training;
                                  # "warmup_cosine": it rises from a tenth for the first 10% of the steps, then so
    label_smoothing: float = 0.0  # the targets 1 and 0 become 1 - s + s/10 and s/10 (0: the plain one-hot labels)
    epochs: int = 5
    batch_size: int = 128
    seed: int = 0
    validation: bool = True       # hold out the last 10,000 training images; False: train on all 60,000
    test: bool = False            # evaluate on the test set once, after training (final runs only)

    def __post_init__(self) -> None:
        problems = [
            (self.network not in CONVNETS, f"network must be one of {sorted(CONVNETS)}, got {self.network!r}"),
            (self.optimizer not in OPTIMIZERS, f"optimizer must be one of {sorted(OPTIMIZERS)}, got {self.optimizer!r}"),
            (self.schedule not in SCHEDULES, f"schedule must be one of {', '.join(SCHEDULES)}, got {self.schedule!r}"),
            (not self.learning_rate > 0, f"learning_rate must be > 0, got {self.learning_rate!r}"),
            (not 0 <= self.label_smoothing < 1, f"label_smoothing must be in [0, 1), got {self.label_smoothing!r}"),
            (not isinstance(self.epochs, int) or self.epochs < 1, f"epochs must be a whole number >= 1, got {self.epochs!r}"),
            (not isinstance(self.batch_size, int) or self.batch_size < 1, f"batch_size must be a whole number >= 1, got {self.batch_size!r}"),
            (not self.validation and not self.test, "with validation=False, set test=True, or nothing is measured"),
        ]
        for failed, message in problems:
            if failed:
                raise ValueError(f"ConvnetRecipe: {message}")


CONVNET_REFERENCE = ConvnetRecipe()  # notebook 11's small convnet with the dense network's steps 3-7
# The batchnorm network with the training that notebook 11 chose (chosen below, on validation).
FAST_TRAINING = dict(network="batchnorm", optimizer="adam", learning_rate=0.004, schedule="warmup_cosine",
                     epochs=14, batch_size=256)
CONVNET_EXPERIMENTS: dict[str, ConvnetRecipe] = {
    "same_steps": CONVNET_REFERENCE,
    # the comparison of architectures on equal steps: trained on all 60,000 and scored on the test set once
    # (a final score of a recipe fixed in advance, not a choice)
    "same_steps_test": replace(CONVNET_REFERENCE, validation=False, test=True),
    "batchnorm": replace(CONVNET_REFERENCE, network="batchnorm"),
    "batchnorm_adam": replace(CONVNET_REFERENCE, **FAST_TRAINING),
    "batchnorm_adam_smoothing": replace(CONVNET_REFERENCE, **FAST_TRAINING, label_smoothing=0.1),
    "batchnorm_adam_smoothing_10": replace(CONVNET_REFERENCE, **{**FAST_TRAINING, "epochs": 10}, label_smoothing=0.1),
    # the what-if with the best validation accuracy above, trained again on all 60,000 to meet the test set, once
    "chosen": replace(CONVNET_REFERENCE, **FAST_TRAINING, label_smoothing=0.1, validation=False, test=True),
}


def load_convnet_data() -> Data:
    """MNIST as notebook 11 prepares it: (28, 28, 1) images scaled to [0, 1], one-hot labels."""
    (x_all, y_all), (x_test, y_test) = load_mnist()
    as_images = lambda x: x.reshape(-1, 28, 28, 1).astype("float32") / 255  # noqa: E731
    one_hot = lambda y: keras.utils.to_categorical(y, num_classes=10)  # noqa: E731
    return Data(as_images(x_all), one_hot(y_all), as_images(x_test), one_hot(y_test))


def convnet_learning_rate(recipe: ConvnetRecipe, steps: int) -> float | keras.optimizers.schedules.LearningRateSchedule:
    """The recipe's learning rate, or its schedule over ``steps`` training steps."""
    if recipe.schedule == "cosine":
        return keras.optimizers.schedules.CosineDecay(recipe.learning_rate, decay_steps=steps)
    if recipe.schedule == "warmup_cosine":
        warmup = steps // 10
        return keras.optimizers.schedules.CosineDecay(recipe.learning_rate / 10, decay_steps=steps - warmup,
                                                      warmup_target=recipe.learning_rate, warmup_steps=warmup)
    return recipe.learning_rate


def run_convnet_experiment(recipe: ConvnetRecipe, data: Data, verbose: int = 0, save_to: Path | None = None) -> dict:
    """Train a convnet of notebook 11 the way ``recipe`` says; return its history, epoch by epoch, and its final
    scores (``save_to``: also save the trained model there)."""
    keras.utils.set_random_seed(recipe.seed)
    model = CONVNETS[recipe.network]()
    if recipe.validation:
        x, y, validation = data.x_train, data.y_train, validation_set(data.x_val, data.y_val)
    else:
        x, y, validation = data.x_all, data.y_all, None
    steps = math.ceil(len(x) / recipe.batch_size)
    optimizer = OPTIMIZERS[recipe.optimizer](learning_rate=convnet_learning_rate(recipe, recipe.epochs * steps))
    model.compile(optimizer=optimizer, loss=keras.losses.CategoricalCrossentropy(label_smoothing=recipe.label_smoothing),
                  metrics=["accuracy"], steps_per_execution=steps)
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
    if save_to is not None:
        model.save(save_to)
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
    """A short hash of the code that trains (this module's run_experiment or run_convnet_experiment, the network,
    the data preparation, the optimizers a recipe names) and the recipe."""
    if isinstance(recipe, ConvnetRecipe):
        code = "\n".join(code_of(f) for f in (run_convnet_experiment, convnet_learning_rate, build_convnet,
                                              build_batchnorm_convnet, load_convnet_data, validation_set))
    else:
        code = "\n".join(code_of(f) for f in (run_experiment, load_data, preprocess, validation_set))
    optimizers = {name: f"{cls.__module__}.{cls.__qualname__}" for name, cls in OPTIMIZERS.items()}
    text = code + json.dumps(asdict(recipe), sort_keys=True) + str(VALIDATION_SIZE) + json.dumps(optimizers)
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


def load_average() -> float | None:
    """The 1-minute load average, or None where the system keeps none (Windows)."""
    try:
        return round(os.getloadavg()[0], 2)
    except (AttributeError, OSError):
        return None


def run_grid(table: dict, run, load, path: Path) -> None:
    """Run every recipe of ``table`` with ``run`` on ``load()``'s data; write the results to ``path``."""
    data = load()
    load_before = load_average()
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
        "machine": {"cpu_count": os.cpu_count(), "load_average_before": load_before,
                    "load_average_after": load_average()},
        "experiments": experiments,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    print(f"The whole grid ({len(table)} experiments) took {grid_seconds:.0f} s on {os.cpu_count()} CPU cores "
          f"(1-minute load average {load_before} before, {results['machine']['load_average_after']} after: "
          "other jobs on the same cores slow it down).")
    print(f"Wrote {shown_path(path)}")


if __name__ == "__main__":
    sys.exit(main())
