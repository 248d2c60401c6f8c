"""Sphinx configuration of the sknumpynet documentation.

Build with ``python -m sphinx -W -b html docs docs/_build/html`` after
``pip install -e ".[docs]"``.
"""

import sknumpynet

project = "sknumpynet"
author = "The sknumpynet developers"
copyright = "2026, The sknumpynet developers"
release = version = sknumpynet.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
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
    "reset_argv": "sknumpynet._examples.gallery_argv",
    "abort_on_example_error": True,
    "download_all_examples": False,
    "plot_gallery": "True",
}

# One page per public name, at api/generated/sknumpynet.<Name>.html: the
# address the estimators' HTML representation links to.
autosummary_generate = True
autodoc_default_options = {"inherited-members": False}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False

templates_path = ["_templates"]
exclude_patterns = ["_build", "auto_examples/**/*.ipynb"]
html_theme = "pydata_sphinx_theme"
html_title = "sknumpynet"
html_theme_options = {
    "github_url": "https://github.com/sknumpynet/sknumpynet",
    "navigation_with_keys": False,
}
# Copy only the commands, not the prompts or the output.
copybutton_prompt_text = r">>> |\.\.\. |\$ "
copybutton_prompt_is_regexp = True
