"""The fidelity report (sandbox/docs/fidelity.py → docs/fidelity.md) cannot drift from the code: the
committed file equals the generated text, every /v1 route the app serves is in the data as
emulated or partial, and every route the data claims (or disclaims) matches the app."""

import subprocess
import sys

import pytest

from sandbox.docs import fidelity
from sandbox.api.documented import exists_in
from sandbox.docs.fidelity import ABSENT, EMULATED, NOT_EMULATED, PARTIAL, route_pattern
from sandbox.domain.profiles import PROFILES
from tests.conftest import ROOT

IGNORED_METHODS = {"HEAD", "OPTIONS"}


def served_routes(app, profile=fidelity.PROFILES[0]) -> set[tuple[str, str]]:
    """(method, pattern) of every /v1 route of the app's url_map that exists in an API profile
    (CORS preflight-only rules skipped)."""
    routes = set()
    for rule in app.url_map.iter_rules():
        if (rule.rule.startswith("/v1/") or rule.rule == "/v1") and exists_in(app.view_functions[rule.endpoint], profile):
            routes |= {(method, route_pattern(rule.rule)) for method in rule.methods - IGNORED_METHODS}
    return routes


def documented(*statuses, profile=fidelity.PROFILES[0]) -> set[tuple[str, str]]:
    return {entry.route for entry in fidelity.ENTRIES if entry.route and entry.status_in(profile) in statuses}


def test_the_report_has_the_sandboxs_profiles():
    assert fidelity.PROFILES == PROFILES


def test_committed_report_is_the_generated_one():
    committed = (ROOT / fidelity.REPORT).read_text(encoding="utf-8")
    assert committed == fidelity.render(), f"docs/fidelity.md is stale: run `{fidelity.COMMAND}`"


@pytest.mark.parametrize("profile", PROFILES)
def test_every_served_v1_route_is_reported_as_emulated_or_partial(app, profile):
    missing = served_routes(app, profile) - documented(EMULATED, PARTIAL, profile=profile)
    assert not missing, f"add these routes to sandbox/docs/fidelity.py ({profile}): {sorted(missing)}"


@pytest.mark.parametrize("profile", PROFILES)
def test_every_route_reported_as_emulated_or_partial_is_served(app, profile):
    phantom = documented(EMULATED, PARTIAL, profile=profile) - served_routes(app, profile)
    assert not phantom, f"reported as emulated but not served ({profile}): {sorted(phantom)}"


@pytest.mark.parametrize("profile", PROFILES)
def test_no_route_reported_as_not_emulated_or_absent_is_served(app, profile):
    served = documented(NOT_EMULATED, ABSENT, profile=profile) & served_routes(app, profile)
    assert not served, f"served but reported as not emulated ({profile}): {sorted(served)}"


def test_the_checks_can_fail(app):
    """The route comparison sees a difference of one route in either direction."""
    served = served_routes(app)
    assert ("POST", "/v1/escrow/milestone/create") in served
    assert ("GET", "/v1/escrow/milestone/{}") in served
    assert ("PUT", "/v1/escrow/additional-fee/{}") not in served
    assert ("PUT", "/v1/escrow/additional-fee/{}") in served_routes(app, "2026-10")
    assert ("GET", "/v1/payment/bank-list") not in served_routes(app)
    assert ("GET", "/v1/payment/bank-list") in served_routes(app, "2026-10")
    assert ("POST", "/v1/escrow/milestone/confirm/{}/{}") in documented(EMULATED)
    assert ("PUT", "/v1/escrow/additional-fee/{}") in documented(ABSENT)
    assert ("PUT", "/v1/escrow/additional-fee/{}") in documented(EMULATED, profile="2026-10")
    assert ("GET", "/api/v1/escrow/transactions") in documented(NOT_EMULATED, profile="2026-10")


def test_entries_are_well_formed():
    seen = set()
    for entry in fidelity.ENTRIES:
        assert entry.area in fidelity.AREAS, entry
        assert entry.status in fidelity.STATUSES, entry
        assert entry.what and entry.source, entry
        assert (entry.method is None) == (entry.path is None), entry
        if entry.method:
            assert entry.method in {"GET", "POST", "PUT", "DELETE"}, entry
            assert entry.path.startswith(("/v1/", "/api/v1/")), entry
            assert entry.route not in seen, f"reported twice: {entry.route}"
            seen.add(entry.route)
        assert entry.source.startswith(("[A]", "[B]", "[L]", "SDK", "sandbox", "undocumented")), entry
    assert {entry.area for entry in fidelity.ENTRIES} == set(fidelity.AREAS)


def test_every_area_has_a_table_in_order():
    text = fidelity.render()
    positions = [text.index(f"\n## {area}\n") for area in fidelity.AREAS]
    assert positions == sorted(positions)
    assert text.count("| what | 2026-06 | 2026-10 | source | sandbox choice |") == len(fidelity.AREAS)


def test_render_is_deterministic_and_escapes_pipes():
    assert fidelity.render() == fidelity.render()
    row = fidelity.Entry("Cards", "`a|b`", PARTIAL, "[A]", "x | y")
    assert "| `a\\|b` | partial | partial | [A] | x \\| y |" in fidelity.render([row])
    later = fidelity.Entry("Cards", "b", ABSENT, "[B]", "", later=EMULATED, later_choice="z")
    assert f"| b | {ABSENT} | emulated | [B] | **2026-10**: z |" in fidelity.render([later])
    assert fidelity.counts([row, later], "2026-10") == {EMULATED: 1, PARTIAL: 1, NOT_EMULATED: 0, ABSENT: 0}


def test_command_writes_and_checks(tmp_path):
    target = tmp_path / "fidelity.md"
    run = [sys.executable, "-m", "sandbox.docs.fidelity"]
    stale = subprocess.run([*run, "--check", str(target)], capture_output=True, text=True, cwd=ROOT)
    assert stale.returncode == 1 and "out of date" in stale.stderr
    written = subprocess.run([*run, str(target)], capture_output=True, text=True, cwd=ROOT)
    assert written.returncode == 0, written.stderr
    assert target.read_text(encoding="utf-8") == fidelity.render()
    assert subprocess.run([*run, "--check", str(target)], cwd=ROOT).returncode == 0


@pytest.mark.parametrize("status", [EMULATED, PARTIAL, NOT_EMULATED])
def test_report_counts_each_status(status):
    assert fidelity.counts()[status] > 0
    assert f"{fidelity.counts()[status]} {status}" in fidelity.render()
