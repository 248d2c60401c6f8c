"""Sphinx configuration of the sknumpynet documentation.

Build with ``python -m sphinx -W -b html docs docs/_build/html`` after
``pip install -e ".[docs]"``.
"""

import os
import shutil
from pathlib import Path

import sknumpynet
from sknumpynet.datasets import mnist_dir_from_env

project = "sknumpynet"
author = "The sknumpynet developers"
copyright = "2026, The sknumpynet developers"
release = version = sknumpynet.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    # MathJax from the package instead of a CDN: the built site renders its
    # math with no network.
    "sphinx-mathjax-offline",
    "numpydoc",
    "sphinx_copybutton",
    "sphinx_gallery.gen_gallery",
    "myst_parser",
]
# User-guide pages in Markdown, some including sections of the README, which
# stays the one copy of the text it shares with this site.
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
myst_heading_anchors = 3

# The gallery runs every example in its quick form (--quick) and shows the
# picture it draws; an example that fails fails the build.
# The gallery reruns an example only when its file changes: when the data its
# MNIST examples read changes (SKNUMPYNET_MNIST_DIR set or unset), its stored
# output is stale, so it is made anew.
_gallery = Path(__file__).parent / "auto_examples"
_data_source = str(mnist_dir_from_env() or "OpenML or scikit-learn's digits")
if (_gallery / ".data_source").is_file() and (
    (_gallery / ".data_source").read_text() != _data_source
):
    shutil.rmtree(_gallery)
_gallery.mkdir(exist_ok=True)
(_gallery / ".data_source").write_text(_data_source)
if "SKNUMPYNET_MNIST_DIR" not in os.environ:
    print(
        "SKNUMPYNET_MNIST_DIR is not set: the gallery's MNIST examples load "
        "MNIST from OpenML, or run on scikit-learn's digits where it cannot be "
        "reached (each example's output says which)."
    )

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": "/plot_",
    "subsection_order": [
        "../examples/mnist",
        "../examples/regression",
        "../examples/scaling",
    ],
    "within_subsection_order": "FileNameSortKey",
    "reset_argv": "sknumpynet.example_tools.gallery_argv",
    "abort_on_example_error": True,
    "download_all_examples": False,
    "plot_gallery": "True",
}

# One page per public name, at api/generated/sknumpynet.<Name>.html: the
# address the estimators' HTML representation links to.
autosummary_generate = True
# The docs extra alone builds the site: the ONNX module's converter library
# (the onnx extra) is imported as a stand-in, for its docstrings.
autodoc_mock_imports = ["skl2onnx", "onnx"]
autodoc_default_options = {"inherited-members": False}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False

templates_path = ["_templates"]
html_static_path = ["_static"]
html_css_files = ["sknumpynet.css"]
html_js_files = ["sknumpynet.js"]
exclude_patterns = ["_build", "auto_examples/**/*.ipynb"]
html_theme = "pydata_sphinx_theme"
html_title = "sknumpynet"
# The install page has no section to navigate: no empty sidebar beside it.
html_sidebars = {"install": []}
html_theme_options = {
    "github_url": "https://github.com/sknumpynet/sknumpynet",
    "navigation_with_keys": False,
}
# Copy only the commands, not the prompts or the output.
copybutton_prompt_text = r">>> |\.\.\. |\$ "
copybutton_prompt_is_regexp = True
