"""The drift check (`payluk-sandbox conformance`), proven against sandboxes: two on one profile
agree; profile 2026-10 against 2026-06 differs exactly where the fidelity report's [B] rows say
the tour should see it; a read-only run moves nothing; a host without controls gets the steps that
need them skipped; the command writes JSON and JUnit, against a live server too."""

import json
import os
import shlex
import subprocess
import sys
import uuid
import xml.etree.ElementTree as ET

import pytest

from sandbox import create_app
from sandbox.conformance import compare, report, runner
from sandbox.conformance.hosts import AppHost, Controls, HttpHost
from sandbox.conformance.tour import BUYER_NEEDS, FIXTURE_BUYER, FIXTURE_SELLER, MONEY, READ, TOUR
from sandbox.controlplane.fixture_sets import load_fixture_sets
from sandbox.docs import fidelity
from sandbox.domain.profiles import JUNE, OCTOBER
from sandbox.server import cli
from sandbox.server.config import Config
from tests.conftest import ROOT, running_server

# The fidelity report's rows (sandbox/docs/fidelity.py, by their `what`) behind each difference.
WALLET = "`GET /v1/wallet`"
BANK_LIST = "`GET /v1/payment/bank-list`"
MERCHANT_BALANCE = "`GET /v1/merchant/balance`"
FEE = "Fee: 2 % + merchant commission, merchant wallet credits"
PAY_ESCROW = "`POST /v1/payment/escrow`"
HISTORY = "`GET /v1/payment/history`"
PAY_AGAIN = "Paying an escrow that is not awaiting payment"
CLAIM = "`GET /v1/escrow/claim-funds/{paymentToken}`"
RESOLVE = "`POST /v1/escrow/dispute/resolve/{escrowId}`"
SPLIT_AND_MILESTONE_DISPUTES = "`SPLIT` resolutions and milestone disputes"
STRICT_ORDER = "Milestones confirmed in strict order (earliest pending first)"
NO_MILESTONE_DISPUTES = "Milestone escrows cannot be disputed"

# Target on profile 2026-10, reference on 2026-06: every difference the tour reports, in its order
# (route, aspect, where, target, reference), each with the fidelity row that documents it.
EXPECTED = [
    # [B]'s wallet carries id, createdAt, updatedAt (every wallet read).
    (WALLET, "GET /v1/wallet", "field", "data.id", "string", "absent"),
    (WALLET, "GET /v1/wallet", "field", "data.createdAt", "string", "absent"),
    (WALLET, "GET /v1/wallet", "field", "data.updatedAt", "string", "absent"),
    # Routes Payluk added in [B]: 404 under 2026-06.
    (BANK_LIST, "GET /v1/payment/bank-list", "status", "", "200", "404"),
    (BANK_LIST, "GET /v1/payment/bank-list", "message", "", '"Banks fetched successfully"', '"Route not found"'),
    (MERCHANT_BALANCE, "GET /v1/merchant/balance", "status", "", "200", "404"),
    (MERCHANT_BALANCE, "GET /v1/merchant/balance", "message", "", '"Merchant balance fetched successfully"',
     '"Route not found"'),
    # 2 % (and a commission of 0) against [A]'s 2.5 %.
    (FEE, "POST /v1/escrow/milestone/create", "rule", "fee ÷ amount", "0.02", "0.025"),
    # Pay-escrow answers [B]'s transaction instead of [A]'s {reference, status, amount}.
    (PAY_ESCROW, "POST /v1/payment/escrow", "field", "data.id", "string", "absent"),
    (PAY_ESCROW, "POST /v1/payment/escrow", "field", "data.fee", "number", "absent"),
    (PAY_ESCROW, "POST /v1/payment/escrow", "field", "data.transactionType", "string", "absent"),
    (PAY_ESCROW, "POST /v1/payment/escrow", "field", "data.currency", "string", "absent"),
    (PAY_ESCROW, "POST /v1/payment/escrow", "field", "data.creditType", "string", "absent"),
    (PAY_ESCROW, "POST /v1/payment/escrow", "field", "data.customerId", "string", "absent"),
    (PAY_ESCROW, "POST /v1/payment/escrow", "field", "data.escrowDetails", "object", "absent"),
    (PAY_ESCROW, "POST /v1/payment/escrow", "field", "data.createdAt", "string", "absent"),
    (PAY_ESCROW, "POST /v1/payment/escrow", "field", "data.updatedAt", "string", "absent"),
    (PAY_ESCROW, "POST /v1/payment/escrow", "value", "data.status", '"success"', '"SUCCESS"'),
    # The buyer pays amount + the whole fee (whoPays buyer): 2 % against 2.5 %.
    (FEE, "GET /v1/wallet", "rule", "payment debits ÷ escrow amount", "1.02", "1.025"),
    (FEE, "POST /v1/escrow/create", "rule", "fee ÷ amount", "0.02", "0.025"),
    (FEE, "PUT /v1/escrow/edit/{paymentToken}", "rule", "fee ÷ amount", "0.02", "0.025"),
    # whoPays both: the buyer pays half the fee, the seller gets the amount less the other half.
    (FEE, "GET /v1/wallet", "rule", "payment debits ÷ escrow amount", "1.01", "1.0125"),
    # History lists [B]'s transaction objects.
    (HISTORY, "GET /v1/payment/history", "field", "data.data[0].customerId", "string", "absent"),
    (HISTORY, "GET /v1/payment/history", "field", "data.data[0].escrowDetails", "object", "absent"),
    (HISTORY, "GET /v1/payment/history", "field", "data.data[0].gateway", "absent", "string"),
    # Paying it again: [B] names the refusal.
    (PAY_AGAIN, "POST /v1/payment/escrow", "message", "", '"Escrow is not in a valid state for checkout"',
     '"Action not allowed"'),
    (FEE, "GET /v1/wallet", "rule", "release credits ÷ escrow amount", "0.99", "0.9875"),
    # [B]'s claim window has an extra day: a day and a minute after payment it is still closed.
    (CLAIM, "GET /v1/escrow/claim-funds/{paymentToken}", "status", "", "400", "200"),
    (CLAIM, "GET /v1/escrow/claim-funds/{paymentToken}", "message", "", '"Escrow cannot be claimed yet"',
     '"Funds claimed successfully"'),
    # REFUNDED: [B] returns the held pool (amount − the seller's half of the fee), [A] all the buyer paid.
    (RESOLVE, "GET /v1/wallet", "rule", "refund credits ÷ escrow amount", "0.99", "1.0125"),
    # SPLIT exists only in [B].
    (SPLIT_AND_MILESTONE_DISPUTES, "POST /v1/escrow/dispute/resolve/{escrowId}", "status", "", "200", "400"),
    (SPLIT_AND_MILESTONE_DISPUTES, "POST /v1/escrow/dispute/resolve/{escrowId}", "message", "",
     '"Dispute resolution submitted successfully"', '"\\"status\\" must be one of [COMPLETED, REFUNDED]"'),
    # Milestones in order only ([B]).
    (STRICT_ORDER, "POST /v1/escrow/milestone/confirm/{escrowId}/{milestoneId}", "status", "", "400", "200"),
    (STRICT_ORDER, "POST /v1/escrow/milestone/confirm/{escrowId}/{milestoneId}", "message", "",
     '"Milestones must be confirmed in order"', '"Milestone confirmed successfully"'),
    # A milestone escrow may be disputed under [B], not under [A].
    (NO_MILESTONE_DISPUTES, "POST /v1/escrow/submit-dispute/{paymentToken}", "status", "", "200", "400"),
    (NO_MILESTONE_DISPUTES, "POST /v1/escrow/submit-dispute/{paymentToken}", "message", "",
     '"Escrow dispute submitted successfully"', '"Milestone escrows cannot be disputed"'),
]
# What the differences above leave unrunnable (they follow a step that succeeded on one host only).
SKIPPED_ACROSS_PROFILES = {
    "standard.seller-claimed": "follows standard.claim, which did not succeed on both hosts",
    "disputes.buyer-before-milestone": "follows disputes.open-milestone, which did not succeed on both hosts",
    "disputes.refund-milestone": "follows disputes.open-milestone, which did not succeed on both hosts",
    "disputes.buyer-refunded-milestone": "follows disputes.buyer-before-milestone, disputes.refund-milestone, which "
                                         "did not succeed on both hosts",
}
# What each profile itself leaves unrunnable: [A] refuses every milestone dispute, [B] a claim
# before its extra day.
SKIPPED_SAME_PROFILE = {
    JUNE: {k: v for k, v in SKIPPED_ACROSS_PROFILES.items() if k.startswith("disputes.")},
    OCTOBER: {"standard.seller-claimed": SKIPPED_ACROSS_PROFILES["standard.seller-claimed"]},
}
CONTROL_STEPS = ["milestone.fund-buyer", "standard.clock"]


@pytest.fixture(scope="module")
def apps():
    """One sandbox per profile, and one without controls: every run takes a fresh key (namespace)."""
    made = {JUNE: create_app(Config(profile=JUNE)), OCTOBER: create_app(Config(profile=OCTOBER)),
            "off": create_app(Config(profile=JUNE, controls=False))}
    yield made
    for app in made.values():
        app.close()


def fresh_key() -> str:
    return f"sk_test_conformance_{uuid.uuid4().hex[:12]}"


def side(name: str, app, key: str) -> runner.Side:
    return runner.Side(name, AppHost(app, f"{name} app"), key, FIXTURE_SELLER, FIXTURE_BUYER)


def tour(apps, target: str, reference: str, read_only: bool = False) -> runner.Result:
    return runner.run(side("target", apps[target], fresh_key()), side("reference", apps[reference], fresh_key()),
                      read_only=read_only)


def skipped(result: runner.Result) -> dict:
    return {r.step.id: r.reason for r in result.steps if r.outcome == runner.SKIPPED}


def keys(findings) -> list[tuple]:
    return [(f["route"], f["aspect"], f["where"], f["target"], f["reference"]) if isinstance(f, dict) else f.key
            for f in findings]


def feed_count(app, key: str) -> int:
    reply = app.test_client().get("/v1/escrow/feeds", headers={"Authorization": f"Bearer {key}"})
    return reply.get_json()["data"]["pagination"]["count"]


@pytest.mark.parametrize("profile", [JUNE, OCTOBER])
def test_two_sandboxes_on_one_profile_agree(apps, profile):
    result = tour(apps, profile, profile)
    assert result.differences == [] and result.exit_code == 0
    assert skipped(result) == SKIPPED_SAME_PROFILE[profile]
    assert result.count(runner.AGREE) == len(TOUR) - len(SKIPPED_SAME_PROFILE[profile])
    assert result.target.controls.profile == result.reference.controls.profile == profile
    for side_ in (result.target, result.reference):  # the payments fit in what a staging buyer is asked to hold
        assert sum(side_.context[f"{prefix}_due"] for prefix in "mscdpq") < 75_000 < BUYER_NEEDS


def test_october_against_june_shows_exactly_the_documented_differences(apps):
    result = tour(apps, OCTOBER, JUNE)
    assert result.exit_code == 1
    assert keys(result.findings) == [expected[1:] for expected in EXPECTED]
    assert skipped(result) == SKIPPED_ACROSS_PROFILES
    # The text report: each difference once per route, with the steps it was seen in.
    text = report.text(result)
    assert text.startswith(f"payluk-sandbox conformance: the target differs from the reference ({len(EXPECTED)} "
                           f"differences in {result.count(runner.DIFFER)} of {len(TOUR)} steps)")
    assert text.count("\n  GET /v1/wallet\n") == 1
    assert "    status: target 400, reference 200  [standard.claim]" in text
    assert "  standard.seller-claimed: follows standard.claim, which did not succeed on both hosts" in text


@pytest.mark.parametrize("row", sorted({expected[0] for expected in EXPECTED}))
def test_every_expected_difference_is_a_b_row_of_the_fidelity_report(row):
    """Each row exists and says what profile 2026-10 changes (its own status, or a 2026-10 choice)."""
    [entry] = [e for e in fidelity.ENTRIES if e.what == row]
    assert entry.status_in(OCTOBER) != entry.status_in(JUNE) or entry.later_choice


def test_read_only_runs_only_the_read_steps(apps):
    target_key, reference_key = fresh_key(), fresh_key()
    result = runner.run(side("target", apps[OCTOBER], target_key), side("reference", apps[JUNE], reference_key),
                        read_only=True)
    ran = [r.step for r in result.steps if r.outcome != runner.SKIPPED]
    assert ran and all(step.kind == READ for step in ran)
    assert [s.id for s in ran] == [s.id for s in TOUR if s.kind == READ and s.group in ("reads", "errors")
                                   and s.id != "errors.deleted"]
    assert all(r.reason.endswith("not run with --read-only") for r in result.steps if r.outcome == runner.SKIPPED)
    assert {r.step.id for r in result.steps if r.step.kind == MONEY} <= set(skipped(result))
    # Nothing was created, nothing moved; what differs is what the reads see ([B]'s wallet, its routes).
    assert feed_count(apps[OCTOBER], target_key) == feed_count(apps[JUNE], reference_key) == 0
    assert {f.route for f in result.findings} == {"GET /v1/wallet", "GET /v1/payment/bank-list",
                                                 "GET /v1/merchant/balance"}
    assert tour(apps, JUNE, JUNE, read_only=True).exit_code == 0


def test_a_host_without_controls_gets_the_control_steps_skipped(apps):
    result = tour(apps, JUNE, "off")
    assert result.exit_code == 0 and not result.reference.controls.present
    reasons = skipped(result)
    for name in CONTROL_STEPS:
        assert reasons[name] == ("needs sandbox controls; the reference (reference app): it has no sandbox controls")
    assert reasons["standard.seller-before-claim"] == "follows standard.clock, which did not succeed on both hosts"
    assert reasons["standard.claim"] == "follows standard.clock, which did not succeed on both hosts"
    assert {r.step.id for r in result.steps if r.step.controls} <= set(reasons)
    # The rest of the tour ran: the buyer was rich enough without the funding control.
    assert result.count(runner.AGREE) == len(TOUR) - len(reasons)
    assert "standard.confirm" not in reasons and "disputes.refund" not in reasons


def test_controls_behind_a_token_count_as_none_without_it():
    app = create_app(Config(control_token="s3cret-token"))
    try:
        host = AppHost(app, "guarded")
        assert host.probe(fresh_key()).why_not == "its sandbox controls need a control token (--control-token)"
        probed = host.probe(fresh_key(), control_token="s3cret-token")
        assert probed.present and probed.profile == JUNE
    finally:
        app.close()


def test_shapes_compare_presence_and_types_never_values():
    step = TOUR[0]
    same = compare.shapes(step.id, {"id": "a1", "n": 1, "at": None, "list": [{"x": 1}]},
                          {"list": [{"x": 2.5}, {"y": True}], "at": None, "n": 2, "id": "b2"})
    assert same == []
    diff = compare.shapes(step.id, {"a": "x", "list": [{"x": 1}], "o": {"deep": {"n": 1}}},
                          {"a": 1, "list": [{"x": "1", "z": 0}], "o": {"deep": []}, "extra": []})
    assert [str(d) for d in diff] == [
        "type a: target string, reference number",
        "type list[0].x: target number, reference string",
        "field list[0].z: target absent, reference number",
        "type o.deep: target object, reference array",
        "field extra: target absent, reference array",
    ]
    # A nullable field holds a value or not by the host's data (a next page, a completed escrow).
    assert compare.shapes(step.id, {"nextPage": 2, "completedAt": None}, {"nextPage": None, "completedAt": "t"}) == []
    assert compare.shapes(step.id, {"list": []}, {"list": [{"x": 1}]}) == []  # an empty list has no shape


def test_templates_fill_each_host_with_its_own_values():
    ctx = {"m_id": "abc", "m_due": 20500, "run": "conf_1"}
    assert runner.expand({"amount": "{m_due}", "ref": "{run}_m", "ids": ["{m_id}"]}, ctx) == {
        "amount": 20500, "ref": "conf_1_m", "ids": ["abc"]}
    with pytest.raises(runner.Missing, match="s_id"):
        runner.expand("/v1/escrow/confirm-payment/{s_id}", ctx)


def test_a_rate_limited_request_is_waited_out_and_sent_again():
    class Reply:
        def __init__(self, status, headers):
            self.status_code, self.headers = status, headers

        def json(self):
            return {"status": self.status_code, "message": "m", "data": {}}

    replies = [Reply(429, {"Retry-After": "7"}), Reply(429, {}), Reply(200, {})]
    slept = []
    host = HttpHost("http://staging.example", sleep=slept.append)
    host.session.request = lambda *args, **kwargs: replies.pop(0)
    answer = host.send("GET", "/v1/wallet", {})
    assert (answer.status, slept, host.waits) == (200, [7.0, 60.0], 2)
    staging = runner.Side("target", host, "sk_test_x", "seller", "buyer",
                          controls=Controls(False, "it has no sandbox controls"))
    assert report.describe(staging) == ("http://staging.example: it has no sandbox controls; 2 requests sent again "
                                        "after a 429")


def test_the_parties_default_to_the_fixture_seller_and_buyer():
    customers = {c["id"]: c["note"] for c in load_fixture_sets(None)["default"]["customers"]}
    assert customers[FIXTURE_SELLER].startswith("seller") and customers[FIXTURE_BUYER].startswith("buyer")


@pytest.mark.parametrize("argv, message", [
    (["conformance", "--key", "sk_test_x"], "the following arguments are required: --target"),
    (["conformance", "--target", "staging", "--key", "sk_test_x"], "--target must be an http:// or https:// URL"),
    (["conformance", "--target", "http://h", "--key", "sk_live_x"], "--key must be a test secret key"),
    (["conformance", "--target", "http://h", "--key", "sk_test_x", "--customer-ids", "one"],
     "--customer-ids takes two ids: SELLER,BUYER"),
    (["conformance", "--target", "http://h", "--key", "sk_test_x", "--profile", "2027-01"], "invalid choice"),
    (["conformance", "--target", "http://h", "--key", "sk_test_x", "--bogus"], "unrecognized arguments: --bogus"),
    (["--bogus"], "unrecognized arguments: --bogus"),
])
def test_bad_flags_are_one_line_errors(capsys, argv, message):
    with pytest.raises(SystemExit) as exit_:
        cli.main(argv)
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and err.count("\n") == 1 and message in err, err
    prog = "payluk-sandbox conformance" if argv[0] == "conformance" else "payluk-sandbox"
    assert err.startswith(f"{prog}: ") and err.endswith(f"(see {prog} --help)\n")


def test_help_of_both_commands(capsys):
    for argv, words in ((["--help"], ["payluk-sandbox conformance --target URL", "--port", "--profile"]),
                        (["conformance", "--help"], ["--target", "--reference", "--read-only", "--junit",
                                                     "--seller", "--buyer", "--customer-ids"])):
        with pytest.raises(SystemExit) as exit_:
            cli.main(argv)
        out = capsys.readouterr().out
        assert exit_.value.code == 0 and all(word in out for word in words), out


def test_an_unreachable_host_is_a_one_line_refusal(capsys):
    assert cli.main(["conformance", "--target", "http://127.0.0.1:1", "--key", fresh_key()]) == 2
    err = capsys.readouterr().err
    assert err == "payluk-sandbox conformance: the target http://127.0.0.1:1 does not answer: connection refused\n"


README = (ROOT / "README.md").read_text()
SECTION = README[README.index("## Drift check: conformance against another host"):]


def readme_command(url: str, tmp_path) -> list[str]:
    """README's command line, as pasted, with the live server's URL and a fresh key; its report
    files land in `tmp_path`."""
    bash = SECTION[SECTION.index("```bash\n") + 8:SECTION.index("```\n", SECTION.index("```bash\n") + 8)]
    [line] = [line for line in bash.splitlines() if line.startswith("payluk-sandbox conformance ")]
    words = shlex.split(line.replace("http://127.0.0.1:8080", url).replace("sk_test_drift", fresh_key()))
    return [sys.executable, "-m", "sandbox", *words[1:]]


def run_command(argv: list[str], cwd) -> subprocess.CompletedProcess:
    return subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [
                              str(ROOT), os.environ.get("PYTHONPATH")]))})


def test_readme_tells_the_tour_as_it_is():
    assert f"(`sandbox/conformance/tour.py`, {len(TOUR)} steps as data)" in SECTION
    assert "at least **100,000 NGN**" in SECTION and BUYER_NEEDS == 100_000


def test_the_readme_command_against_a_live_server_writes_json_and_junit(tmp_path):
    """README's command against a real `payluk-sandbox --profile 2026-10` server, the command's
    in-process reference on 2026-06 (its default): exit 1, the differences in the JSON and as JUnit
    failures; with --profile 2026-10 the same server agrees: exit 0."""
    with running_server("--profile", OCTOBER) as url:
        argv = readme_command(url, tmp_path)
        done = run_command(argv, tmp_path)
        agreeing = run_command([*argv[:argv.index("--json")], "--profile", OCTOBER], tmp_path)
    json_file, junit_file = tmp_path / "drift.json", tmp_path / "drift.xml"
    assert done.returncode == 1, done.stderr
    assert done.stdout.startswith("payluk-sandbox conformance: the target differs from the reference")
    assert f"target     {url}: sandbox controls, profile 2026-10" in done.stdout

    data = json.loads(json_file.read_text())
    assert data["format"] == "payluk-sandbox-conformance/1" and data["agree"] is False
    assert keys(data["differences"]) == [expected[1:] for expected in EXPECTED]
    assert data["reference"]["host"] == "in-process sandbox (profile 2026-06)" and data["target"]["profile"] == OCTOBER
    steps = {step["id"]: step for step in data["steps"]}
    assert steps["standard.claim"]["target"] == {"status": 400, "message": "Escrow cannot be claimed yet"}
    assert steps["standard.claim"]["kind"] == "money-moving" and steps["reads.countries"]["kind"] == "read-only"
    differing = sorted(step["id"] for step in data["steps"] if step["outcome"] == "differ")

    root = ET.parse(junit_file).getroot()
    assert root.tag == "testsuites" and int(root.get("tests")) == len(TOUR)
    assert int(root.get("failures")) == len(differing) == data["summary"]["differ"]
    assert [suite.get("name") for suite in root] == [f"conformance.{g}" for g in
                                                     ("reads", "milestone", "standard", "disputes", "errors")]
    failed = sorted(case.get("name").split(":")[0] for case in root.iter("testcase")
                    if case.find("failure") is not None)
    assert failed == differing
    claim = next(case for case in root.iter("testcase") if case.get("name").startswith("standard.claim:"))
    assert "status: target 400, reference 200" in claim.find("failure").text
    skipped_cases = {case.get("name").split(":")[0]: case.find("skipped").get("message")
                     for case in root.iter("testcase") if case.find("skipped") is not None}
    assert skipped_cases == SKIPPED_ACROSS_PROFILES

    assert agreeing.returncode == 0, agreeing.stdout + agreeing.stderr
    assert agreeing.stdout.startswith("payluk-sandbox conformance: the target agrees with the reference")
