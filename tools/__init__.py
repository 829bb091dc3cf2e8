"""Tooling that learners never call: ``links`` (Binder, Colab and navigation links, the set-up cell),
``execute_series`` (execute the series headlessly; store notebooks canonically), ``bench`` (`make bench`),
``teaching_copies`` (`make teaching-copies`), ``make_scan`` (notebook 09's example scan).
Run each from the repository's folder, e.g. ``python -m tools.links``."""
