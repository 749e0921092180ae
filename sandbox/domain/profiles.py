"""API profiles: which generation of Payluk's docs a namespace answers by.

  * `2026-06` — docs.payluk.ng as of mid-2026 ([A] in the API notes): the default;
  * `2026-10` — the docs to the changelog of 2 Oct 2026 ([B]): 2 % + commission fees and the
    merchant wallet, additional fees, SPLIT resolutions, milestone disputes and strict order,
    amounts to 2 decimals, vault escrows, an optional `customer-id` on escrow routes.

A namespace's profile is configuration, chosen in this order: the namespace's own choice
(`PUT /_sandbox/profile`, kept by a reset), the fixture file's `profile`, the server's default
(`--profile` / `SANDBOX_PROFILE`). Profiles are named by docs date, so a later one is a later
string: a rule that arrived with a profile holds from it on (`since`).
"""

JUNE = "2026-06"
OCTOBER = "2026-10"
PROFILES = (JUNE, OCTOBER)
DEFAULT = JUNE
# Which of Payluk's docs each profile follows (the banner, /healthz, README "Profiles").
DOCS = {JUNE: "docs.payluk.ng as of mid-2026", OCTOBER: "docs.payluk.ng to the changelog of 2 Oct 2026"}

# Where a namespace's profile came from (`source`).
FROM_NAMESPACE, FROM_FIXTURE, FROM_SERVER = "namespace", "fixture", "server"


def current(ns) -> str:
    """The profile the namespace answers by (see the module's docstring for the order)."""
    chosen = ns.settings("profile")
    if chosen is not None:
        return chosen["name"]
    # (a namespace made outside a fixture set, or an export from before profiles: the default)
    return (ns.settings("fixture") or {}).get("profile") or DEFAULT


def of_state(state: dict) -> str:
    """`current` of a namespace's plain state (a snapshot, an export)."""
    if state.get("profile") is not None:
        return state["profile"]["name"]
    return (state.get("fixture") or {}).get("profile") or DEFAULT


def source(ns) -> str:
    """Where `current(ns)` comes from: `namespace`, `fixture` or `server`."""
    if ns.settings("profile") is not None:
        return FROM_NAMESPACE
    return (ns.settings("fixture") or {}).get("profile_from") or FROM_SERVER


def since(ns, profile: str) -> bool:
    """Whether the namespace answers by `profile` or a later one."""
    return current(ns) >= profile


def later(ns) -> bool:
    """Whether the namespace answers by the October 2026 docs ([B]) — the common question."""
    return since(ns, OCTOBER)


def describe(ns) -> dict:
    """The namespace's profile and where it comes from, as the controls show it."""
    return {"profile": current(ns), "source": source(ns), "profiles": list(PROFILES)}


def choose(ns, name: str | None) -> dict:
    """The namespace's own choice (None: forget it, fall back to the fixture's or the server's).
    The caller has checked `name` is one of PROFILES."""
    ns.save_settings("profile", None if name is None else {"name": name})
    return describe(ns)
