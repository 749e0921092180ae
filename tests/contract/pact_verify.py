"""Verify Pact contracts against payluk-sandbox with pact-python's Verifier (pact-python 4.2 or
later: the verifier ships in its wheels). Usage: python pact_verify.py PACT_FILE [PACT_FILE ...]"""

import os
import sys
from urllib.parse import urlsplit

from pact import Verifier

SANDBOX = os.environ.get("PAYLUK_SANDBOX_URL", "http://127.0.0.1:8080")
KEY = os.environ.get("PAYLUK_SANDBOX_KEY", "sk_test_pact_provider")  # the namespace the verification runs in
TOKEN = os.environ.get("PAYLUK_SANDBOX_TOKEN")  # the control token, if the sandbox has one

verifier = (
    Verifier("payluk-sandbox", host=urlsplit(SANDBOX).hostname)
    .add_transport(url=SANDBOX)
    # Pact posts {"state", "params", "action"} here before (and, with teardown, after) each
    # interaction, and reads the values fromProviderState names from the answer's top-level keys.
    .state_handler(f"{SANDBOX}/_sandbox/pact/provider-states", teardown=True, body=True)
    # Custom headers go on every request the verifier sends, the state changes included, so the
    # state is set up in the namespace the interactions then run in.
    .add_custom_header("Authorization", f"Bearer {KEY}")
)
if TOKEN:
    verifier.add_custom_header("X-Sandbox-Token", TOKEN)
for pact_file in sys.argv[1:]:
    verifier.add_source(pact_file)

try:
    verifier.verify()
except RuntimeError:
    print(verifier.output(strip_ansi=True))
    sys.exit(1)
print(verifier.output(strip_ansi=True))
