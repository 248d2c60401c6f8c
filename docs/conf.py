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
]

# One page per public name, at api/generated/sknumpynet.<Name>.html: the
# address the estimators' HTML representation links to.
autosummary_generate = True
autodoc_default_options = {"inherited-members": False}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False

templates_path = ["_templates"]
exclude_patterns = ["_build"]
html_theme = "pydata_sphinx_theme"
html_title = "sknumpynet"
html_theme_options = {
    "github_url": "https://github.com/sknumpynet/sknumpynet",
    "navigation_with_keys": False,
}
# Copy only the commands, not the prompts or the output.
copybutton_prompt_text = r">>> |\.\.\. |\$ "
copybutton_prompt_is_regexp = True
