"""The convnet of notebook 11: helpers.model.build_convnet is the network the notebook writes out, and
`make run`'s summary reports both test accuracies."""
from __future__ import annotations

import json
import re
from pathlib import Path

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


def test_build_convnet_is_the_network_notebook_11_writes_out():
    import keras
    from keras import layers

    from helpers.model import CONVNET_EPOCHS, build_convnet

    namespace = {"keras": keras, "layers": layers}
    exec(cell_defining("convnet"), namespace)
    exec(cell_defining("epochs, batch_size"), namespace)
    written, helper = namespace["convnet"], build_convnet()
    assert namespace["epochs"] == CONVNET_EPOCHS == 5 and namespace["batch_size"] == 128
    assert [without_names(layer.get_config()) for layer in written.layers] == \
           [without_names(layer.get_config()) for layer in helper.layers]
    assert written.count_params() == helper.count_params() == 34_826
    assert without_names(written.optimizer.get_config()) == without_names(helper.optimizer.get_config())
    assert written.loss == helper.loss == "sparse_categorical_crossentropy"
    assert written.steps_per_execution == helper.steps_per_execution


def test_summary_reports_both_test_accuracies(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys):
    from tools.execute_series import summary

    monkeypatch.setenv("MNIST_OUTPUTS_DIR", str(tmp_path))
    (tmp_path / "test_metrics.json").write_text(json.dumps({"test_accuracy": 0.9796, "test_loss": 0.0678}))
    assert summary() == 1
    printed = capsys.readouterr().out
    assert re.search(r"Test accuracy, dense network: +97.96% \(test loss 0.0678\)", printed)
    assert "Test accuracy, convnet: none yet (notebook 11 writes" in printed
    (tmp_path / "convnet_test_metrics.json").write_text(json.dumps({"test_accuracy": 0.993, "test_loss": 0.021}))
    assert summary() == 0
    printed = capsys.readouterr().out
    assert re.search(r"Test accuracy, convnet: +99.30% \(test loss 0.0210\)", printed)
