"""`payluk-sandbox conformance`: the tour against a target host and a reference (by default a
sandbox in this process on `--profile`), the differences reported; exit 0 when they agree, 1 when
they do not, 2 when the command cannot run (a bad flag, a host that does not answer)."""

import argparse
import sys

from sandbox.conformance import report
from sandbox.conformance.hosts import HttpHost, Unreachable, in_process
from sandbox.conformance.runner import Side, run
from sandbox.conformance.tour import BUYER_NEEDS, FIXTURE_BUYER, FIXTURE_SELLER
from sandbox.domain.profiles import DEFAULT as DEFAULT_PROFILE, PROFILES
from sandbox.server.cli import OneLineParser

PROG = "payluk-sandbox conformance"
TEST_KEY_PREFIX = "sk_test_"


def parser() -> argparse.ArgumentParser:
    p = OneLineParser(
        prog=PROG,
        description="The drift check: one scripted tour of the Payluk API (reads, the milestone flow, the standard "
        "flow, disputes, documented error cases) run against two hosts in lockstep, their answers compared: status "
        "codes, messages, the presence and JSON types of fields (never raw ids, tokens or times), lifecycle states "
        "and the numbers the tour derives (fee ÷ amount, what a payment takes, what a release or a refund credits). "
        "Exit 0 when they agree, 1 with a report when they do not.",
        epilog=f"Against Payluk's staging host bring the network, a super-admin test secret key, the ids of a seller "
        f"and a buyer that exist there (the buyer with at least {BUYER_NEEDS:,} NGN in their wallet), and "
        "--read-only unless you mean to move test money. Steps that need sandbox controls (moving the clock, "
        "funding the buyer) are skipped against a host without them, and the report says so.",
    )
    p.add_argument("--target", required=True, metavar="URL",
                   help="the host to check, e.g. https://staging.api.payluk.ng")
    p.add_argument("--reference", metavar="URL",
                   help="the host it should agree with (default: a sandbox in this process answering by --profile)")
    p.add_argument("--profile", choices=PROFILES, default=DEFAULT_PROFILE,
                   help=f"the in-process reference's API profile (default {DEFAULT_PROFILE})")
    p.add_argument("--key", required=True,
                   help="the target's test secret key (sk_test_…); the reference's too unless --reference-key")
    p.add_argument("--seller", default=FIXTURE_SELLER, metavar="ID",
                   help="the customer acting as seller on the target (default: the fixture seller)")
    p.add_argument("--buyer", default=FIXTURE_BUYER, metavar="ID",
                   help="the customer acting as buyer on the target (default: the fixture buyer)")
    p.add_argument("--customer-ids", metavar="SELLER,BUYER", help="--seller and --buyer at once")
    p.add_argument("--reference-key", metavar="KEY", help="the reference's key (default --key)")
    p.add_argument("--reference-seller", default=FIXTURE_SELLER, metavar="ID",
                   help="the reference's seller (default: the fixture seller)")
    p.add_argument("--reference-buyer", default=FIXTURE_BUYER, metavar="ID",
                   help="the reference's buyer (default: the fixture buyer)")
    p.add_argument("--control-token", metavar="TOKEN",
                   help="the target's sandbox control token (X-Sandbox-Token), if its controls need one")
    p.add_argument("--reference-control-token", metavar="TOKEN", help="the reference's control token")
    p.add_argument("--read-only", action="store_true",
                   help="run only the read-only steps (for a live host: nothing is created, no money moves)")
    p.add_argument("--json", metavar="FILE", help="also write the result as JSON")
    p.add_argument("--junit", metavar="FILE", help="also write the result as JUnit XML (for CI)")
    p.add_argument("--timeout", type=float, default=30.0, metavar="SECONDS", help="per request (default 30)")
    return p


def parse(argv) -> argparse.Namespace:
    p = parser()
    args = p.parse_args(argv)
    if args.customer_ids is not None:
        ids = [part.strip() for part in args.customer_ids.split(",")]
        if len(ids) != 2 or not all(ids):
            p.error("--customer-ids takes two ids: SELLER,BUYER")
        args.seller, args.buyer = ids
    for flag, url in (("--target", args.target), ("--reference", args.reference)):
        if url is not None and not url.startswith(("http://", "https://")):
            p.error(f"{flag} must be an http:// or https:// URL, got {url!r}")
    for flag, key in (("--key", args.key), ("--reference-key", args.reference_key)):
        if key is not None and not key.startswith(TEST_KEY_PREFIX):
            p.error(f"{flag} must be a test secret key ({TEST_KEY_PREFIX}…): the tour creates escrows and moves "
                    "money")
    if args.timeout <= 0:
        p.error(f"--timeout must be positive, got {args.timeout:g}")
    return args


def main(argv=None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    target = Side("target", HttpHost(args.target, args.timeout), args.key, args.seller, args.buyer, args.control_token)
    if args.reference is not None:
        reference_host = HttpHost(args.reference, args.timeout)
    else:
        reference_host = in_process(args.profile)
    reference = Side("reference", reference_host, args.reference_key or args.key, args.reference_seller,
                     args.reference_buyer, args.reference_control_token)
    try:
        result = run(target, reference, read_only=args.read_only)
    except Unreachable as err:
        failed = next(side for side in (target, reference) if side.controls is None)
        print(f"{PROG}: the {failed.name} {failed.host.label} does not answer: {err}", file=sys.stderr)
        return 2
    finally:
        target.host.close()
        reference_host.close()
    print(report.text(result), end="", flush=True)
    try:
        if args.json:
            report.write_json(result, args.json)
        if args.junit:
            report.write_junit(result, args.junit)
    except OSError as err:
        print(f"{PROG}: cannot write the report: {err}", file=sys.stderr)
        return 2
    return result.exit_code
