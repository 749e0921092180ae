"""Fixtures of the browser tests: one chromium per module, a fresh browser context (cookies,
storage) and a fresh secret key per console, and the `payluk-sandbox` the consoles talk to —
every test runs twice: against one process with the memory store (`memory`), and against
`--store redis://… --workers 2` with every request on a new connection (`redis-2-workers`: the
`Connection: close` header each request of the browser context sends), so consecutive requests
land on either worker, as behind a load balancer.

Skipped, with the reason printed in pytest's summary, where no browser can be had (no
`playwright` package, or no chromium binary); `make test` installs both where it can. The
second leg is skipped, with the reason, where no redis-server can run."""

import uuid
from dataclasses import dataclass

import pytest

from tests.browser import Console, launch, missing_browser
from tests.conftest import START, running_server

REDIS_DATABASE = 9  # of the suite's redis-server, emptied for this module's server


@dataclass(frozen=True)
class Sandbox:
    """The server under test: its URL, its worker processes, and whether the browser opens a new
    connection for every request."""

    url: str
    workers: int = 1
    new_connections: bool = False


@pytest.fixture(scope="module")
def browser():
    reason = missing_browser()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import expect, sync_playwright

    # Assertions that wait for the page's poller (every 3 s; on 2 workers under the whole suite a
    # reload can take a while) get two polls and some, not expect's default 5 s.
    expect.set_options(timeout=10_000)
    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module", params=["memory", "redis-2-workers"])
def server(request, browser):
    """A real sandbox (granian), clock frozen at START, ids unseeded so two keys never share
    an id: one process on the memory store, or two worker processes on a Redis store. Asks for
    the browser first, so a missing browser skips before a server starts; stopped (workers and
    all) even when a test fails."""
    if request.param == "memory":
        with running_server("--clock-start", START) as url:
            yield Sandbox(url)
        return
    from tests.redis_server import database

    store = database(request.getfixturevalue("redis_url"), REDIS_DATABASE)
    with running_server("--clock-start", START, "--store", store, "--workers", "2") as url:
        yield Sandbox(url, workers=2, new_connections=True)


@pytest.fixture
def new_console(browser, server):
    """Makes Consoles: each its own browser context and a key no other test uses. At the
    end, every key's ledger invariants must still hold."""
    made = []

    def make(width=1280, height=800) -> Console:
        headers = {"Connection": "close"} if server.new_connections else {}
        context = browser.new_context(viewport={"width": width, "height": height}, extra_http_headers=headers)
        context.set_default_timeout(10_000)
        console = Console(context.new_page(), server.url, f"sk_test_browser_{uuid.uuid4().hex[:16]}")
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
