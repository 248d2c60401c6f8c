"""A real browser for the tests: Playwright for Python driving the system's Chromium.

Debian's ``chromium`` package, found on the PATH (or at
``$SKNUMPYNET_CHROMIUM``); Playwright never downloads a browser here. Where
no Chromium exists the browser tests skip with that reason, unless
``SKNUMPYNET_REQUIRE_BROWSER`` is set (CI sets it), where they fail.
"""

import os
import shutil

import pytest

# Flags of a browser that must not reach the network by itself.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
]


def chromium_path():
    """Return the system's Chromium, or skip (fail in CI) where there is none."""
    path = os.environ.get("SKNUMPYNET_CHROMIUM") or next(
        filter(None, map(shutil.which, ("chromium", "chromium-browser"))), None
    )
    missing = None
    if path is None:
        missing = "no Chromium on this machine (apt-get install chromium)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            missing = "Playwright for Python is not installed (the test extra)"
    if missing and os.environ.get("SKNUMPYNET_REQUIRE_BROWSER"):
        pytest.fail(f"SKNUMPYNET_REQUIRE_BROWSER is set, but {missing}")
    if missing:
        pytest.skip(missing)
    return path


def launch(playwright):
    """Launch the system's Chromium, headless, through Playwright."""
    return playwright.chromium.launch(
        executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True
    )
