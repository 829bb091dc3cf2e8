"""The convnets of notebook 11: helpers.model.build_convnet is the small network the notebook writes out, the
network it trains is the grid's chosen recipe, and `make run`'s summary reports both test accuracies."""
from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pytest

from helpers import REPO_ROOT

NOTEBOOK = REPO_ROOT / "notebooks/11_convnet.ipynb"


def cell_defining(name: str) -> str:
    """The source of the notebook's code cell that assigns ``name``."""
    cells = json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]
    sources = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    found = [s for s in sources if f"\n{name} = " in f"\n{s}"]
    assert len(found) == 1, f"notebook 11 should have one cell assigning {name}"
    return found[0]


def without_names(config: dict) -> dict:
    """A layer's or optimizer's config without the names Keras numbers per session."""
    return {key: value for key, value in config.items() if key != "name"}


def layer_configs(model) -> list[dict]:
    return [without_names(layer.get_config()) for layer in model.layers]


def test_build_convnet_is_the_small_convnet_notebook_11_writes_out():
    import keras
    from keras import layers

    from helpers.model import build_convnet

    namespace = {"keras": keras, "layers": layers}
    exec(cell_defining("convnet"), namespace)
    written, helper = namespace["convnet"], build_convnet()
    assert layer_configs(written) == layer_configs(helper)
    assert written.count_params() == helper.count_params() == 34_826


def test_notebook_11_trains_the_chosen_recipe_of_the_grid():
    """The convnet 11 trains and saves is the grid's "chosen" recipe: its network, schedule, loss and batches."""
    import keras
    from keras import layers

    from helpers.experiments import CONVNET_EXPERIMENTS, CONVNETS, OPTIMIZERS, convnet_learning_rate

    chosen = CONVNET_EXPERIMENTS["chosen"]
    namespace = {"keras": keras, "layers": layers, "math": math, "y_train": np.zeros(60000, "int64"),
                 "y_test": np.zeros(10000, "int64")}
    exec(cell_defining("batchnorm_convnet"), namespace)
    written = namespace["batchnorm_convnet"]
    assert layer_configs(written) == layer_configs(CONVNETS[chosen.network]())
    exec(cell_defining("epochs, batch_size"), namespace)
    assert (namespace["epochs"], namespace["batch_size"]) == (chosen.epochs, chosen.batch_size)
    assert isinstance(written.optimizer, OPTIMIZERS[chosen.optimizer])
    expected = convnet_learning_rate(chosen, chosen.epochs * math.ceil(60000 / chosen.batch_size))
    assert without_names(written.optimizer._learning_rate.get_config()) == without_names(expected.get_config())
    assert written.loss.get_config()["label_smoothing"] == chosen.label_smoothing
    assert written.steps_per_execution == math.ceil(60000 / chosen.batch_size)
    assert chosen.seed == 0 and "keras.utils.set_random_seed(0)" in cell_defining("batchnorm_convnet")


def test_summary_reports_both_test_accuracies(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys):
    from helpers.model import convnet_path, model_path, save_test_metrics
    from tools.execute_series import summary

    monkeypatch.setenv("MNIST_OUTPUTS_DIR", str(tmp_path))
    save_test_metrics(model_path(), 0.0678, 0.9796)
    assert summary() == 1
    printed = capsys.readouterr().out
    assert re.search(r"Test accuracy, dense network: +97.96% \(test loss 0.0678\)", printed)
    assert "Test accuracy, convnet: none yet (notebook 11 writes" in printed
    save_test_metrics(convnet_path(), 0.021, 0.993)
    assert summary() == 0
    printed = capsys.readouterr().out
    assert re.search(r"Test accuracy, convnet: +99.30% \(test loss 0.0210\)", printed)


def test_make_runs_summary_prints_no_tensorflow_start_up_lines(tmp_path: Path) -> None:
    """`make run`'s last step reads the metrics files through helpers.model, which imports TensorFlow: its C++
    start-up lines ("oneDNN custom operations are on", "Could not find cuda drivers") stay out of the terminal."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"} | {"MNIST_OUTPUTS_DIR": str(tmp_path)}
    result = subprocess.run([sys.executable, "-m", "tools.execute_series", "--summary"], cwd=REPO_ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    printed = result.stdout + result.stderr
    assert "Test accuracy, dense network: none yet" in printed, printed
    assert not re.search(r"oneDNN|cuda|absl|cpu_feature_guard", printed), printed

