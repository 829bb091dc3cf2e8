"""Shared pytest configuration for the series' tests.

Two settings for CI (``.ci/run`` sets both):

- ``REQUIRE_BROWSER=1``: a browser test that skips (no Chromium, no Playwright) fails instead, since
  CI installed them.
- ``BROWSER_TESTS_REVERSED=1``: the tests of ``tests/test_browser.py``, which share one JupyterLab
  server, run in reverse order, to show that none depends on another's state.
"""
from __future__ import annotations

import os

import pytest


def pytest_configure(config: pytest.Config) -> None:
    """Register the markers used in tests/ (``-m "not browser"`` leaves the real-browser tests out)."""
    config.addinivalue_line("markers", "browser: runs JupyterLab in headless Chromium (tests/test_browser.py)")
    config.addinivalue_line("markers", "session: a learner's whole session in JupyterLab within 2 GiB "
                                       "(executes every notebook; `make test-session`, not `make test`)")
    config.addinivalue_line("markers", "laptop: the README's set-up without make, in a fresh environment "
                                       "(`make test-no-make`, not `make test`)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("BROWSER_TESTS_REVERSED") == "1":
        places = [i for i, item in enumerate(items) if item.path.name == "test_browser.py"]
        for place, item in zip(places, [items[i] for i in reversed(places)]):
            items[place] = item


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    outcome = yield
    report = outcome.get_result()
    if report.skipped and item.get_closest_marker("browser") and os.environ.get("REQUIRE_BROWSER") == "1":
        report.outcome = "failed"
        report.longrepr = f"REQUIRE_BROWSER=1 but the browser test was skipped: {report.longrepr}"


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
