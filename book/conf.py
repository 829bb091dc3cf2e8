"""Sphinx configuration of the book (`make book`, `python -m tools.book`): the series as a static site.

The source is the repository itself (``sphinx-build -c book . outputs/book``): the README is the first page,
then the stored notebooks (not executed), the instructor guide and the helper briefing. What the book adds
(the launch buttons, the list of pages, the static stand-ins for the widgets of notebook 09) is in
``tools/book.py``; nothing is fetched from the network while building.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the series' folder: `import tools`, `helpers`

from tools.book import SOURCES, TITLE  # noqa: E402

project = TITLE
author = "the MNIST with Keras series"
copyright = "the series' authors"
root_doc = "README"

extensions = ["myst_nb", "tools.book"]
# Only these files are pages; the excluded folders are not even walked (.venv holds thousands of files).
include_patterns = SOURCES
exclude_patterns = [".venv*", ".git", "outputs", "data/*.npz", "**/.ipynb_checkpoints", "tests", "workshop",
                    "helpers", "tools", "binder", "book"]

# The notebooks as stored, outputs included: never executed while building.
nb_execution_mode = "off"
nb_merge_streams = True
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3  # GitHub's anchors: README.md#the-notebooks, INSTRUCTOR_GUIDE.md#before-the-workshop
suppress_warnings = ["misc.highlighting_failure"]

# Nothing from the network while building: no intersphinx, no remote images.
intersphinx_mapping: dict = {}

html_theme = "sphinx_book_theme"
html_title = TITLE
html_static_path: list[str] = []
html_copy_source = False
html_show_sourcelink = False
html_last_updated_fmt = None
html_theme_options = {
    "home_page_in_toc": True,
    "show_toc_level": 2,
    "use_download_button": True,
    "use_fullscreen_button": False,
    "use_repository_button": False,
    "navigation_with_keys": False,
    # The launch buttons are the book's own (tools/book.py), made by tools/links.py like the README's links.
    "launch_buttons": {},
}
