"""Figures of the series: a grid of digits, training curves, a confusion matrix, and one way to save them."""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

import matplotlib.pyplot as plt
import numpy as np

from helpers import outputs_dir


def save_fig(name: str, fig: plt.Figure | None = None, dpi: int = 120) -> Path:
    """Save ``fig`` (default: the current figure) as ``outputs/figures/<name>.png`` and return the path."""
    folder = outputs_dir() / "figures"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    (fig or plt.gcf()).savefig(path, dpi=dpi, bbox_inches="tight")
    return path


def plot_digits(images: np.ndarray, titles: Sequence[str], columns: int = 8) -> plt.Figure:
    """A grid of 28x28 digits with a title above each."""
    images = np.asarray(images)
    if images.ndim == 2 and images.shape[1] == 784:
        images = images.reshape(-1, 28, 28)
    if images.ndim != 3 or images.shape[1:] != (28, 28):
        raise ValueError(f"plot_digits: images must have shape (n, 28, 28) or (n, 784), got {images.shape}")
    if len(titles) != len(images):
        raise ValueError(f"plot_digits: {len(images)} images but {len(titles)} titles")
    rows = max(1, -(-len(images) // columns))
    fig, axes = plt.subplots(rows, columns, figsize=(1.4 * columns, 1.6 * rows), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, image, title in zip(axes.flat, images, titles):
        ax.imshow(image, cmap="gray_r")
        ax.set_title(title, fontsize=9)
    fig.tight_layout()
    return fig


def plot_history(history: dict[str, list[float]]) -> plt.Figure:
    """Accuracy and loss per epoch, training and validation side by side (notebook 07 draws it inline first)."""
    for key in ("accuracy", "loss"):
        if key not in history:
            raise ValueError(f"plot_history: the history has no {key!r} (keys: {sorted(history)})")
    epochs = np.arange(1, len(history["loss"]) + 1)
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    for ax, key in zip(axes, ("accuracy", "loss")):
        ax.plot(epochs, history[key], "o-", label=f"training {key}")
        if f"val_{key}" in history:
            ax.plot(epochs, history[f"val_{key}"], "s--", label=f"validation {key}")
        ax.set_xlabel("epoch")
        ax.set_ylabel(key)
        ax.set_xticks(epochs)
        ax.grid(alpha=0.3)
        ax.legend()
    axes[0].set_title("Accuracy per epoch")
    axes[1].set_title("Loss per epoch")
    fig.tight_layout()
    return fig


def plot_confusion_matrix(matrix: np.ndarray) -> plt.Figure:
    """A 10x10 confusion matrix (rows: true digit, columns: predicted digit) with the counts written in."""
    matrix = np.asarray(matrix)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"plot_confusion_matrix: expected a square matrix, got shape {matrix.shape}")
    fig, ax = plt.subplots(figsize=(7, 6))
    image = ax.imshow(np.log1p(matrix), cmap="Blues")
    for (row, col), count in np.ndenumerate(matrix):
        color = "white" if matrix[row, col] > matrix.max() / 3 else "black"
        ax.text(col, row, str(count), ha="center", va="center", fontsize=8, color=color)
    ticks = np.arange(matrix.shape[0])
    ax.set_xticks(ticks)
    ax.set_yticks(ticks)
    ax.set_xlabel("predicted digit")
    ax.set_ylabel("true digit")
    ax.set_title("Confusion matrix on the 10,000 test images")
    fig.colorbar(image, ax=ax, label="log(1 + count)")
    fig.tight_layout()
    return fig
