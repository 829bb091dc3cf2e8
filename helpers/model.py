"""The reference network of the series (the Sequential of notebook 02, compiled as in 03, fitted as in 05),
the convnet of notebook 11, and their saved copies."""
from __future__ import annotations

import json
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

# The saved files' paths live in helpers (no TensorFlow needed to find them); notebooks import them from here too.
from helpers import (convnet_path, history_path, model_path, shown_path, test_metrics_path,  # noqa: F401
                     validation_history_path)
from helpers.data import VALIDATION_SIZE

EPOCHS = 5
BATCH_SIZE = 128
# Run a whole epoch (60000 / 128 -> 469 steps) inside one compiled TensorFlow call:
# same batches, same updates, less Python overhead between steps.
STEPS_PER_EXECUTION = 469
# Compile each step with XLA, which fuses its matrix products and element-wise work into a few
# kernels: same model, same recipe.  Once compiled, an epoch took about half the time on a
# 2-core CPU, but compiling costs a second or more at the start, so over 5 epochs the gain is
# small or nil (in `make bench`, which times the 5-epoch fit with and without, the XLA fit was
# slower), so it is off by default; pass jit_compile=True for longer fits.
# Not for the convnet: XLA's CPU convolutions were many times slower than TensorFlow's own.
JIT_COMPILE = False
SEED = 0


def preprocess(images: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Images (n, 28, 28) uint8 -> (n, 784) float32 in [0, 1]; labels (n,) -> one-hot (n, 10)."""
    images, labels = np.asarray(images), np.asarray(labels)
    if images.ndim != 3 or images.shape[1:] != (28, 28):
        raise ValueError(f"preprocess: images must have shape (n, 28, 28), got {images.shape}")
    if labels.shape != (len(images),):
        raise ValueError(
            f"preprocess: labels must have shape ({len(images)},) to match the images, got {labels.shape}"
            + (" (already one-hot?)" if labels.ndim == 2 else "")
        )
    if images.dtype != np.uint8:
        raise ValueError(f"preprocess: images must be the raw uint8 pixels, got {images.dtype} (already scaled?)")
    x = images.reshape((len(images), 28 * 28)).astype("float32")
    x /= 255  # in place: the same values as `/ 255`, without a second 188 MB array for the training set
    y = keras.utils.to_categorical(labels, num_classes=10)
    return x, y


def build_model(steps_per_execution: int = STEPS_PER_EXECUTION, jit_compile: bool = JIT_COMPILE) -> keras.Sequential:
    """The reference network, compiled: Dense(512, relu) -> Dense(10, softmax), rmsprop, crossentropy.

    ``steps_per_execution`` and ``jit_compile`` change how fast it trains, not what it learns.
    """
    model = keras.Sequential(
        [
            keras.Input(shape=(28 * 28,)),
            keras.layers.Dense(512, activation="relu", name="hidden"),
            keras.layers.Dense(10, activation="softmax", name="output"),
        ],
        name="mnist_dense",
    )
    model.compile(
        optimizer="rmsprop",
        loss="categorical_crossentropy",
        metrics=["accuracy"],
        steps_per_execution=steps_per_execution,
        jit_compile=jit_compile,
    )
    return model


def validation_set(images: np.ndarray, labels: np.ndarray, batch_size: int = 1000) -> tf.data.Dataset:
    """Pre-processed validation data as a batched, cached ``tf.data.Dataset`` for ``fit(validation_data=...)``
    (notebook 10's experiments): built once, then reused by every epoch's evaluation."""
    return tf.data.Dataset.from_tensor_slices((images, labels)).batch(batch_size).cache()


def split_validation(x: np.ndarray, y: np.ndarray) -> tuple[tuple[np.ndarray, np.ndarray],
                                                            tuple[np.ndarray, np.ndarray]]:
    """The training images split as notebooks 05 and 10 do: the first to learn from, the last
    ``VALIDATION_SIZE`` held out as the validation set (to watch and choose with; never the test set)."""
    if len(x) != len(y) or len(x) <= VALIDATION_SIZE:
        raise ValueError(f"split_validation: give more than {VALIDATION_SIZE} images and as many labels, "
                         f"got {len(x)} images and {len(y)} labels")
    return (x[:-VALIDATION_SIZE], y[:-VALIDATION_SIZE]), (x[-VALIDATION_SIZE:], y[-VALIDATION_SIZE:])


def fit_reference(model: keras.Model, x_train: np.ndarray, y_train: np.ndarray,
                  verbose: int = 2) -> keras.callbacks.History:
    """``model.fit`` as the article calls it, and as notebook 05 trains the model it saves: all the
    training images, 5 epochs, batch 128, no validation data."""
    return model.fit(x_train, y_train, epochs=EPOCHS, batch_size=BATCH_SIZE, verbose=verbose)


def fit_watched(model: keras.Model, x_train: np.ndarray, y_train: np.ndarray,
                verbose: int = 2) -> keras.callbacks.History:
    """Notebook 05's second run: the same recipe on all but the last ``VALIDATION_SIZE`` training
    images, measuring those held-out images after every epoch (the curves of notebook 07)."""
    (x_part, y_part), validation = split_validation(x_train, y_train)
    return model.fit(x_part, y_part, epochs=EPOCHS, batch_size=BATCH_SIZE, validation_data=validation,
                     verbose=verbose)


CONVNET_EPOCHS = EPOCHS  # notebook 11 trains the convnet with the dense network's steps 3 to 7


def build_convnet() -> keras.Sequential:
    """The convnet of notebook 11 (written out there), compiled as the dense network is (rmsprop, crossentropy,
    accuracy; a whole epoch per call): two Conv2D/MaxPooling2D blocks, dropout, Dense(10, softmax).

    It takes images of shape (28, 28, 1) scaled to [0, 1] and integer labels (sparse crossentropy).
    """
    model = keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),
            keras.layers.Conv2D(32, kernel_size=3, activation="relu"),
            keras.layers.MaxPooling2D(pool_size=2),
            keras.layers.Conv2D(64, kernel_size=3, activation="relu"),
            keras.layers.MaxPooling2D(pool_size=2),
            keras.layers.Flatten(),
            keras.layers.Dropout(0.5),
            keras.layers.Dense(10, activation="softmax"),
        ],
        name="mnist_convnet",
    )
    model.compile(
        optimizer="rmsprop",
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
        steps_per_execution=STEPS_PER_EXECUTION,
    )
    return model


def build_batchnorm_convnet() -> keras.Sequential:
    """The convnet that notebook 11 trains and saves, chosen on validation (uncompiled): notebook 11's two
    blocks with 16 and 32 filters, each convolution followed by pooling, then BatchNormalization and relu (pooling
    first: a quarter of the values to normalize); a Dense(128) layer, dropout and the Dense(10) softmax.

    The convolutions and the Dense(128) have no bias: the BatchNormalization after each adds its own shift.
    """
    layers = keras.layers
    return keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),
            layers.Conv2D(16, kernel_size=3, use_bias=False),
            layers.MaxPooling2D(pool_size=2),
            layers.BatchNormalization(),
            layers.ReLU(),
            layers.Conv2D(32, kernel_size=3, use_bias=False),
            layers.MaxPooling2D(pool_size=2),
            layers.BatchNormalization(),
            layers.ReLU(),
            layers.Flatten(),
            layers.Dense(128, use_bias=False),
            layers.BatchNormalization(),
            layers.ReLU(),
            layers.Dropout(0.25),
            layers.Dense(10, activation="softmax"),
        ],
        name="mnist_convnet",
    )


def save_history(path: Path, history: dict[str, list[float]]) -> None:
    """Write a fit's ``history.history`` (a list of numbers per metric, one per epoch) as JSON."""
    path.write_text(json.dumps({name: [float(v) for v in values] for name, values in history.items()}, indent=1))


def save_trained(model: keras.Model, history: dict[str, list[float]],
                 validation_history: dict[str, list[float]]) -> Path:
    """Save the trained model (.keras), its history and the watched run's history (JSON), as notebook 05 does."""
    path = model_path()
    model.save(path)
    save_history(history_path(), history)
    save_history(validation_history_path(), validation_history)
    return path


def load_history(path: Path) -> dict[str, list[float]]:
    """A history written by ``save_history``."""
    return json.loads(path.read_text())


def trained_model_path() -> Path:
    """The file of notebook 05's trained model, with its two histories; when one is missing, train them here first
    (notebook 05's two runs, about a minute) and say so."""
    path = model_path()
    if not (path.exists() and history_path().exists() and validation_history_path().exists()):
        train_and_save()
    return path


def load_trained() -> tuple[keras.Model, dict[str, list[float]]]:
    """The model saved by notebook 05 and its history (trained here first if there are none)."""
    model = keras.models.load_model(trained_model_path())
    print(f"Loaded the trained model from {shown_path(model_path())}.")
    return model, load_history(history_path())


def load_validation_history() -> dict[str, list[float]]:
    """The history of notebook 05's watched run (training and validation numbers per epoch)."""
    trained_model_path()  # trains and saves first if notebook 05 has not run
    return load_history(validation_history_path())


def save_test_metrics(model_file: Path, test_loss: float, test_accuracy: float) -> Path:
    """Write the test loss and accuracy of the model saved at ``model_file`` (notebooks 06 and 11)."""
    path = test_metrics_path(model_file)
    path.write_text(json.dumps({"test_loss": float(test_loss), "test_accuracy": float(test_accuracy)}, indent=1))
    return path


def train_and_save() -> Path:
    """Notebook 05's two runs, for when it has not been run: the watched one, then the saved one (about a minute)."""
    path = model_path()
    print(f"No trained model at {shown_path(path)} (notebook 05 saves it): training one now, about a minute…")
    from helpers.data import load_mnist

    (x_train, y_train), _ = load_mnist()
    x_train, y_train = preprocess(x_train, y_train)
    keras.utils.set_random_seed(SEED)
    watched = fit_watched(build_model(), x_train, y_train)
    keras.utils.set_random_seed(SEED)
    model = build_model()
    fit = fit_reference(model, x_train, y_train)
    save_trained(model, fit.history, watched.history)
    print(f"Saved it to {shown_path(path)}.")
    return path
