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
