"""Tooling that learners never call: ``links`` (Binder, Colab and navigation links, the set-up cell),
``execute_series`` (execute the series headlessly; store notebooks canonically), ``bench`` (`make bench`),
``teaching_copies`` (`make teaching-copies`), ``make_scan`` (notebook 09's example scan), ``wheel_check``
(`make wheel-check`: the pins' wheels on every learner's platform), ``ports`` (free ports for test servers).
Run each from the repository's folder, e.g. ``python -m tools.links``."""
