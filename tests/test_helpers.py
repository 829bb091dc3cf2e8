"""helpers.model, helpers.plots, helpers.diagram: right results, and one clear line for wrong input."""
from __future__ import annotations

import numpy as np
import pytest

from helpers.diagram import neuron_diagram
from helpers.model import build_model, preprocess
from helpers.plots import plot_confusion_matrix, plot_digits, plot_history


def test_preprocess_reshapes_scales_and_one_hot_encodes():
    images = np.arange(2 * 28 * 28).reshape(2, 28, 28).astype(np.uint8)
    x, y = preprocess(images, np.array([3, 7], dtype=np.uint8))
    assert x.shape == (2, 784) and x.dtype == np.float32
    assert x.min() >= 0 and x.max() <= 1 and x[0, 255] == pytest.approx(1.0)
    assert y.shape == (2, 10) and y[0].argmax() == 3 and y[1].argmax() == 7 and y.sum() == 2


@pytest.mark.parametrize(
    "images, labels, message",
    [
        (np.zeros((28, 28), np.uint8), np.zeros(28, np.uint8), "shape (n, 28, 28)"),
        (np.zeros((5, 784), np.uint8), np.zeros(5, np.uint8), "shape (n, 28, 28)"),
        (np.zeros((5, 28, 28), np.uint8), np.zeros(4, np.uint8), "to match the images"),
        (np.zeros((5, 28, 28), np.uint8), np.zeros((5, 10)), "already one-hot"),
        (np.zeros((5, 28, 28), np.float32), np.zeros(5, np.uint8), "already scaled"),
    ],
)
def test_preprocess_rejects_wrong_arrays_in_one_line(images, labels, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")) as error:
        preprocess(images, labels)
    assert "\n" not in str(error.value)


def test_build_model_is_the_reference_network():
    model = build_model()
    assert [layer.units for layer in model.layers] == [512, 10]
    assert [layer.activation.__name__ for layer in model.layers] == ["relu", "softmax"]
    assert model.count_params() == 407_050
    assert type(model.optimizer).__name__ == "RMSprop"


def test_plot_helpers_reject_wrong_shapes():
    with pytest.raises(ValueError, match="shape"):
        plot_digits(np.zeros((3, 10)), ["a", "b", "c"])
    with pytest.raises(ValueError, match="2 images but 1 titles"):
        plot_digits(np.zeros((2, 28, 28)), ["a"])
    with pytest.raises(ValueError, match="no 'accuracy'"):
        plot_history({"loss": [1.0]})
    with pytest.raises(ValueError, match="square"):
        plot_confusion_matrix(np.zeros((3, 4)))


def test_neuron_diagram_labels_the_real_counts():
    source = neuron_diagram().source
    assert "784 neurons" in source and "512 neurons" in source and "10 neurons" in source
    assert "⋮ 779 more" in source and "⋮ 506 more" in source
    assert source.count("->") == 5 * 6 + 6 * 10  # every drawn neuron feeds every drawn neuron of the next layer


def test_load_trained_without_a_saved_model_trains_one_and_says_so(tmp_path, monkeypatch, capsys):
    """Notebooks 06-08 run before 05: both of 05's runs are made (same recipe), saved, and the learner is told."""
    from helpers.model import history_path, load_trained, load_validation_history, model_path

    monkeypatch.setenv("MNIST_OUTPUTS_DIR", str(tmp_path))
    model, history = load_trained()
    said = capsys.readouterr().out
    assert "No trained model at" in said and "training one now" in said
    assert model_path().exists() and history_path().exists()
    assert len(history["accuracy"]) == 5 and history["accuracy"][-1] > 0.98
    assert sorted(history) == ["accuracy", "loss"], "the saved model trains on all the images, with no validation"
    watched = load_validation_history()
    assert sorted(watched) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert 0.97 < watched["val_accuracy"][-1] < 0.995
    _, again = load_trained()  # the second time it loads what was saved
    assert "Loaded the trained model" in capsys.readouterr().out
    assert {k: pytest.approx(v) for k, v in again.items()} == history


def test_the_validation_split_is_the_last_ten_thousand_training_images():
    import numpy as np
    from helpers.model import split_validation

    x, y = np.arange(60000), np.arange(60000) % 10
    (x_part, y_part), (x_val, y_val) = split_validation(x, y)
    assert (len(x_part), len(x_val)) == (50000, 10000) and x_val[0] == 50000 and y_val[0] == 0
    with pytest.raises(ValueError, match="more than 10000 images"):
        split_validation(x[:5000], y[:5000])
