"""Shared pytest configuration for the series' tests."""
from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    """Register the markers used in tests/ (``-m "not browser"`` skips the real-browser test)."""
    config.addinivalue_line("markers", "browser: runs JupyterLab in headless Chromium (tests/test_browser.py)")


@pytest.fixture(scope="module")
def keras():
    """Keras, imported only by the tests that need it (importing the checkers must stay free of TensorFlow)."""
    import keras

    return keras


@pytest.fixture(scope="session")
def mnist_test():
    """MNIST's test images and labels, loaded once for every test that needs them."""
    from helpers.data import load_mnist

    _, (x_test, y_test) = load_mnist()
    return x_test, y_test


@pytest.fixture(scope="session")
def reference_model():
    """The reference model: the saved one, or trained here (about a minute) when outputs/ has none."""
    from helpers import import_tensorflow_quietly

    import_tensorflow_quietly()
    from helpers.model import load_trained

    return load_trained()[0]
