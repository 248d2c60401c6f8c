"""The documentation site in a real browser: every page at 900, 1400 and 1920 px.

Measured, not looked at: a page that scrolls sideways, a heading that is cut
or breaks a word across lines, an inline element (a formula, a literal) that
grows a scrollbar or sticks out of its box, and, from 1400 px up, a table or
a display equation that does not fit its column. The built site is
``docs/_build/html`` (``$SKNUMPYNET_DOCS_HTML`` elsewhere; CI builds it first
and sets it, and the test then fails rather than skips without it).
"""

import functools
import http.server
import os
import threading
from pathlib import Path

import pytest
from browser import launch

SITE = Path(
    os.environ.get("SKNUMPYNET_DOCS_HTML")
    or Path(__file__).resolve().parents[1] / "docs" / "_build" / "html"
)
WIDTHS = (900, 1400, 1920)

# Run in each page once MathJax has typeset it; returns a list of problems.
MEASURE = (Path(__file__).parent / "measure_layout.js").read_text()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def _pages(site):
    return sorted(
        str(path.relative_to(site))
        for path in site.rglob("*.html")
        if not path.relative_to(site).parts[0].startswith("_")
    )


@pytest.fixture(scope="module")
def site_url():
    if not (SITE / "index.html").is_file():
        message = f"the documentation is not built in {SITE}"
        if os.environ.get("SKNUMPYNET_DOCS_HTML"):
            pytest.fail(message)
        pytest.skip(f"{message}: python -m sphinx -b html docs docs/_build/html")
    handler = functools.partial(_QuietHandler, directory=str(SITE))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def measure_site(url, site, widths=WIDTHS):
    """Return ``{(width, page): [problem, ...]}`` over every page of the site."""
    from playwright.sync_api import sync_playwright

    found = {}
    with sync_playwright() as playwright:
        browser = launch(playwright)
        for width in widths:
            page = browser.new_page(viewport={"width": width, "height": 900})
            for path in _pages(site):
                page.goto(url + path, wait_until="load")
                page.evaluate(
                    "() => window.MathJax && MathJax.startup && MathJax.startup.promise"
                )
                problems = page.evaluate(MEASURE, width >= 1400)
                if problems:
                    found[width, path] = problems
            page.close()
        browser.close()
    return found


def test_docs_pages_fit_at_every_width(site_url):
    found = measure_site(site_url, SITE)
    report = "\n".join(
        f"{width} px {path}: {problem}"
        for (width, path), problems in sorted(found.items())
        for problem in problems
    )
    assert not found, report
