"""The two hosts a tour runs against, behind one small interface: a URL (requests, a runtime
dependency) or a sandbox app in this process (Flask's test client), so the reference can be an
in-process sandbox on a chosen profile and the comparison never knows the difference."""

import re
import time
from dataclasses import dataclass

import requests

# A host "has sandbox controls" when this control answers 200 for the key: it is gated like every
# /_sandbox route (404 when the controls are off, 401 without the control token) and names the
# profile the key's namespace answers by. Payluk's hosts answer it 404.
PROBE = "/_sandbox/profile"
TIMEOUT = 30  # seconds a request may take
RATE_LIMITED = 429
MAX_WAITS = 20  # a request refused by a rate limit is sent again this many times at most
LONGEST_WAIT = 65  # seconds ([B]'s window is 60 s)


@dataclass
class Answer:
    """What a host answered: the HTTP status and the parsed JSON body (None when it was not JSON),
    or no status and `error` when nothing came back."""

    status: int | None
    body: object = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def message(self):
        return self.body.get("message") if isinstance(self.body, dict) else None

    @property
    def data(self):
        return self.body.get("data") if isinstance(self.body, dict) else None


@dataclass
class Controls:
    """What the probe learnt: whether the host has the sandbox controls, why not, its profile."""

    present: bool
    why_not: str = ""
    profile: str | None = None


class Unreachable(Exception):
    """The host did not answer at all (refused, timed out, not HTTP)."""


class Host:
    """One host: `send` a request, answer an Answer. `label` names it in reports."""

    label = "host"
    waits = 0  # requests sent again after a 429

    def send(self, method: str, path: str, headers: dict, json=None, form: dict | None = None) -> Answer:
        raise NotImplementedError

    def probe(self, key: str, control_token: str | None = None) -> Controls:
        headers = {"Authorization": f"Bearer {key}"}
        if control_token:
            headers["X-Sandbox-Token"] = control_token
        answer = self.send("GET", PROBE, headers)
        if answer.status is None:
            raise Unreachable(answer.error)
        if answer.ok and isinstance(answer.data, dict) and "profile" in answer.data:
            return Controls(True, profile=answer.data["profile"])
        if answer.status == 401 and "X-Sandbox-Token" in str(answer.message):
            return Controls(False, "its sandbox controls need a control token (--control-token)")
        return Controls(False, "it has no sandbox controls")

    def close(self) -> None:
        pass


class HttpHost(Host):
    """A host at a URL. A 429 (Payluk's 10 requests a minute per key, [B]) is waited out as its
    `Retry-After` says and the request sent again, so a whole tour can run against staging."""

    def __init__(self, base_url: str, timeout: float = TIMEOUT, sleep=time.sleep):
        self.label = base_url.rstrip("/")
        self.base_url = self.label
        self.timeout = timeout
        self.session = requests.Session()
        self.sleep = sleep

    def send(self, method, path, headers, json=None, form=None) -> Answer:
        kwargs = {"headers": headers, "timeout": self.timeout, "allow_redirects": False}
        if json is not None:
            kwargs["json"] = json
        elif form is not None:
            kwargs["files"] = {name: (None, value) for name, value in form.items()}  # multipart, no files
        for _ in range(MAX_WAITS + 1):
            try:
                reply = self.session.request(method, self.base_url + path, **kwargs)
            except requests.RequestException as err:
                return Answer(None, error=why(err))
            if reply.status_code != RATE_LIMITED:
                break
            self.waits += 1
            self.sleep(retry_after(reply.headers.get("Retry-After")))
        try:
            body = reply.json()
        except ValueError:
            body = None
        return Answer(reply.status_code, body)

    def close(self) -> None:
        self.session.close()


def why(err: requests.RequestException) -> str:
    """A failed request in a few words: `connection refused`, `timed out`, not requests' whole chain."""
    if isinstance(err, requests.Timeout):
        return f"timed out ({type(err).__name__})"
    inner = err.args[0] if err.args else err
    inner = getattr(inner, "reason", inner)  # urllib3's MaxRetryError wraps the cause
    found = re.search(r"\[Errno -?\d+\] ([^')\]]+)", str(inner))
    return found.group(1).strip().lower() if found else str(inner)


def retry_after(value) -> float:
    try:
        return min(max(float(value), 1.0), LONGEST_WAIT)
    except (TypeError, ValueError):
        return 60.0


class AppHost(Host):
    """A sandbox app in this process, through Flask's test client."""

    def __init__(self, app, label: str, owned: bool = False):
        self.app = app
        self.label = label
        self.client = app.test_client()
        self.owned = owned

    def send(self, method, path, headers, json=None, form=None) -> Answer:
        kwargs = {"headers": headers}
        if json is not None:
            kwargs["json"] = json
        elif form is not None:
            kwargs["data"] = dict(form)
            kwargs["content_type"] = "multipart/form-data"
        reply = self.client.open(path, method=method, **kwargs)
        return Answer(reply.status_code, reply.get_json(silent=True))

    def close(self) -> None:
        if self.owned:
            self.app.close()


def in_process(profile: str, controls: bool = True) -> AppHost:
    """A fresh sandbox in this process answering by `profile`: the built-in fixture sets, a
    random seed, the real clock (its controls move it)."""
    from sandbox.app import create_app
    from sandbox.server.config import Config

    app = create_app(Config(profile=profile, controls=controls))
    suffix = "" if controls else ", controls off"
    return AppHost(app, f"in-process sandbox (profile {profile}{suffix})", owned=True)
