"""Regenerates the console screenshots in docs/console/ (`make console-screenshots`).

Starts a sandbox (seeded, clock frozen), signs in with a demo key in headless chromium
(the same launch as tests/browser), builds a representative namespace through the API —
a funded milestone escrow with its first milestone released, a paid standard escrow under
dispute, webhooks delivered to a local receiver — and saves each main view at desktop
(1280×900) and phone (390×844) width as `<view>-<desktop|phone>.png`.

    .venv/bin/python docs/console/screenshots.py [OUTPUT_DIR]
"""

import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT))

from tests.api.test_webhooks import Receiver, wait_for  # noqa: E402
from tests.browser import Console, launch, missing_browser  # noqa: E402
from tests.conftest import BUYER, SEED, START, running_server  # noqa: E402

KEY = "sk_test_console_demo"
SIZES = {"desktop": (1280, 900), "phone": (390, 844)}
STANDARD = {"amount": "150000", "purpose": 'MacBook Pro 14"', "whoPays": "both", "description": "Space grey, sealed",
            "maxDelivery": "3", "deliveryTimeline": "days", "totalQuantity": "1"}


def build(console: Console, receiver: Receiver) -> dict:
    """The namespace the pictures show; answers the milestone escrow."""
    api = console.api
    api.http.put("/_sandbox/webhook", json={"url": receiver.url})
    escrow = api.funded_milestone_escrow()
    api.confirm(escrow["id"], escrow["milestones"][0]["id"])
    standard = api.create_escrow(STANDARD)
    api.pay(standard["id"])
    reply = api.http.post(f"/v1/escrow/submit-dispute/{standard['paymentToken']}", customer=BUYER,
                          data={"message": "The laptop arrived with a cracked screen."})
    assert reply.status == 200, reply.body
    wait_for(lambda: delivered(console))
    return escrow


def delivered(console: Console) -> bool:
    """Every event delivered, as the webhooks page shows (console pages are not journaled,
    so the requests view shows only the story above)."""
    console.open("/webhooks")
    statuses = console.page.get_by_test_id("event-status").all_inner_texts()
    return bool(statuses) and all(status == "DELIVERED" for status in statuses)


def shoot(console: Console, escrow: dict, out: Path) -> list[Path]:
    views = {"overview": "/overview", "escrows": "/escrows", "escrow": f"/escrows/{escrow['id']}",
             "ledger": "/ledger", "webhooks": "/webhooks", "requests": "/requests"}
    written = []
    for size, (width, height) in SIZES.items():
        console.page.set_viewport_size({"width": width, "height": height})
        for name, view in views.items():
            console.open(view)
            path = out / f"{name}-{size}.png"
            console.page.screenshot(path=str(path), animations="disabled", caret="hide")
            written.append(path)
    return written


def main(out: Path = HERE) -> None:
    reason = missing_browser()
    if reason:
        sys.exit(reason)
    from playwright.sync_api import sync_playwright

    receiver = Receiver()
    try:
        with running_server("--seed", str(SEED), "--clock-start", START) as url, sync_playwright() as playwright:
            browser = launch(playwright)
            context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="light")
            console = Console(context.new_page(), url, KEY)
            console.sign_in()
            escrow = build(console, receiver)
            started = time.monotonic()
            for path in shoot(console, escrow, out):
                print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
            print(f"{time.monotonic() - started:.1f} s")
            browser.close()
    finally:
        receiver.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else HERE)
