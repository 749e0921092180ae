"""The sandbox console in a real headless browser (Playwright for Python driving Debian's
chromium): what a person sees and clicks, against a real `payluk-sandbox` process.

Helpers shared by the tests (tests/browser/test_console_browser.py) and the screenshot
generator (docs/console/screenshots.py): finding and launching the browser, one key's API
over HTTP, and a `Console` (one browser page signed in with one key).
"""

import os
import re
from dataclasses import dataclass, field
from decimal import Decimal

from tests.conftest import Api, LiveHttp, OneKey

# Debian's chromium, never Playwright's downloaded browsers (their CDN is not reachable from CI
# machines like this one). SANDBOX_CHROMIUM points elsewhere (e.g. a Chrome on a laptop).
CHROMIUM = os.environ.get("SANDBOX_CHROMIUM", "/usr/bin/chromium")
# Without the networking switches chromium stalls on connections it is refused (updates, sync).
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
CONSOLE = "/_sandbox/console"
VIEWS = ("/overview", "/customers", "/escrows", "/ledger", "/webhooks", "/requests")


def missing_browser() -> str | None:
    """Why no browser can be driven here (a skip reason), or None."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "browser tests skipped: the `playwright` Python package is not installed (pip install playwright)"
    if not os.access(CHROMIUM, os.X_OK):
        return (f"browser tests skipped: no chromium at {CHROMIUM} (apt-get install chromium, "
                "or set SANDBOX_CHROMIUM to a Chrome/Chromium binary)")
    return None


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


class KeyedLiveHttp(OneKey, LiveHttp):
    """The live server's API as one secret key (answers still checked against openapi.json)."""


def naira(text: str) -> Decimal:
    """`₦1,234.50` (or `−₦5`) as shown on a page → Decimal naira."""
    number = re.sub(r"[₦,\s]", "", text).replace("−", "-")
    return Decimal(number)


@dataclass
class Console:
    """One browser page, one key: the page, the key's API, every URL the browser asked for."""

    page: object
    base_url: str
    key: str
    urls: list = field(default_factory=list)
    bodies: list = field(default_factory=list)

    def __post_init__(self):
        self.api = Api(KeyedLiveHttp(self.base_url, self.key))
        self.page.context.on("request", self._record)

    def _record(self, request):
        self.urls.append(request.url)
        self.bodies.append((request.method, request.url, request.post_data or ""))

    def open(self, view: str = ""):
        """Navigate to a console view (e.g. "/escrows"); answers the navigation's response."""
        return self.page.goto(self.base_url + CONSOLE + view)

    def sign_in(self):
        """Fill the sign-in form and submit it, as a person does."""
        self.open()
        self.page.get_by_test_id("key-input").fill(self.key)
        self.page.get_by_test_id("sign-in").click()
        self.page.wait_for_url(f"**{CONSOLE}/overview")

    def main_balance(self, customer: str) -> Decimal:
        """A customer's main balance as the customers page shows it."""
        self.open("/customers")
        cell = self.page.locator(f'[data-customer-id="{customer}"] [data-testid="main-balance"]')
        return naira(cell.inner_text())
