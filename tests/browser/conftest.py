"""Fixtures of the browser tests: one chromium and one `payluk-sandbox` process per module,
a fresh browser context (cookies, storage) and a fresh secret key per console.

Skipped, with the reason printed in pytest's summary, where no browser can be had (no
`playwright` package, or no chromium binary); `make test` installs both where it can."""

import uuid

import pytest

from tests.browser import Console, launch, missing_browser
from tests.conftest import START, running_server


@pytest.fixture(scope="module")
def browser():
    reason = missing_browser()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def server(browser):
    """A real sandbox (granian), clock frozen at START, ids unseeded so two keys never share
    an id. Asks for the browser first, so a missing browser skips before a server starts."""
    with running_server("--clock-start", START) as url:
        yield url


@pytest.fixture
def new_console(browser, server):
    """Makes Consoles: each its own browser context and a key no other test uses. At the
    end, every key's ledger invariants must still hold."""
    made = []

    def make(width=1280, height=800) -> Console:
        context = browser.new_context(viewport={"width": width, "height": height})
        context.set_default_timeout(10_000)
        console = Console(context.new_page(), server, f"sk_test_browser_{uuid.uuid4().hex[:16]}")
        made.append(console)
        return console

    yield make
    for console in made:
        console.page.context.close()
        reply = console.api.http.get("/_sandbox/invariants")
        assert reply.status == 200 and reply.data["violations"] == [], console.key


@pytest.fixture
def console(new_console) -> Console:
    return new_console()
