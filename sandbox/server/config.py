"""Settings: defaults, overridden by environment variables, overridden by CLI flags.

Environment: HOST / SANDBOX_HOST, PORT / SANDBOX_PORT, SANDBOX_FIXTURES, SANDBOX_SEED,
SANDBOX_CLOCK_START (ISO-8601: new namespaces start with a clock frozen there),
SANDBOX_THREADS (request threads of each server worker, default 1: see sandbox/server/serving.py), SANDBOX_CONTROLS (on/off:
the /_sandbox controls), SANDBOX_CONTROL_TOKEN (when set, controls need `X-Sandbox-Token`), SANDBOX_WEBHOOK_URL (the
callback URL new namespaces start with).

Shared state: SANDBOX_STORE (`memory`, the default: the state lives in the server process; or a
Redis URL, `redis://host:port/db`, `rediss://...` or `unix:///path/redis.sock?db=N`: every worker
process, on one machine or many, shares the state kept there), SANDBOX_WORKERS (server worker
processes; more than 1 needs a Redis store), SANDBOX_NAMESPACE_TTL (seconds an idle namespace lives
in the Redis store before it expires, default 86400 = one day, at least 60; every use renews it;
ignored by the memory store, whose namespaces live as long as the process).

Console: SANDBOX_CONSOLE_SECRET (the key the console's cookies are signed with, at least
MIN_CONSOLE_SECRET characters, the same for every worker and replica; unset, one is made once
and kept in the store — in Redis for every worker, in the memory store for its one process).
"""

import os
from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit

from sandbox.clock import parse_iso
from sandbox.domain import profiles

MAX_BODY_BYTES = 1024 * 1024
INTEGER_SETTINGS = {"port", "seed", "threads", "workers", "namespace_ttl"}
MEMORY_STORE = "memory"
REDIS_SCHEMES = ("redis://", "rediss://", "unix://")
MIN_NAMESPACE_TTL = 60
MIN_CONSOLE_SECRET = 16  # characters: `openssl rand -hex 32` gives 64
BOOLEAN_WORDS = {"1": True, "true": True, "on": True, "yes": True, "0": False, "false": False, "off": False, "no": False}


class ConfigError(ValueError):
    """A setting that cannot be used; the message names it."""


@dataclass(frozen=True)
class Config:
    host: str = "127.0.0.1"
    port: int = 8080
    fixtures: str | None = None
    seed: int | None = None
    clock_start: str | None = None
    threads: int = 1  # sandbox/server/serving.py: one thread never stalls, and a fault's wait does not hold it
    max_body_bytes: int = MAX_BODY_BYTES
    controls: bool = True
    control_token: str | None = None
    webhook_url: str | None = None
    store: str = MEMORY_STORE
    workers: int = 1
    namespace_ttl: int = 86400
    profile: str = profiles.DEFAULT  # the API profile namespaces answer by unless they choose
    console_secret: str | None = field(default=None, repr=False)  # None: the store's (sandbox/console/session.py)

    @property
    def shared_store(self) -> bool:
        """True when the state lives in Redis (shared by every worker process)."""
        return self.store != MEMORY_STORE

    @property
    def clock_start_ms(self) -> int | None:
        return None if self.clock_start is None else parse_iso(self.clock_start)

    def validate(self) -> "Config":
        if not 0 <= self.port <= 65535:
            raise ConfigError(f"port must be between 0 and 65535, got {self.port}")
        if self.threads < 1:
            raise ConfigError(f"threads must be at least 1, got {self.threads}")
        if self.store != MEMORY_STORE and not _is_redis_url(self.store):
            raise ConfigError(f"store must be memory or a Redis URL (redis://host:port/db, rediss://..., "
                              f"unix:///path/to/redis.sock), got {self.store!r}")
        if self.workers < 1:
            raise ConfigError(f"workers must be at least 1, got {self.workers}")
        if self.workers > 1 and self.store == MEMORY_STORE:
            raise ConfigError(f"--workers {self.workers} needs a shared store: the memory store lives in one process "
                              "(use --store redis://host:port/db)")
        if self.namespace_ttl < MIN_NAMESPACE_TTL:
            raise ConfigError(f"namespace TTL must be at least {MIN_NAMESPACE_TTL} seconds, got {self.namespace_ttl}")
        if self.webhook_url is not None and not self.webhook_url.startswith(("http://", "https://")):
            raise ConfigError(f"webhook URL must start with http:// or https://, got {self.webhook_url!r}")
        if self.profile not in profiles.PROFILES:
            raise ConfigError(f"profile must be one of {', '.join(profiles.PROFILES)}, got {self.profile!r}")
        if self.console_secret is not None and len(self.console_secret) < MIN_CONSOLE_SECRET:
            # The value is a secret: its length is named, never the value.
            raise ConfigError(f"--console-secret (SANDBOX_CONSOLE_SECRET) must be at least {MIN_CONSOLE_SECRET} "
                              f"characters, got {len(self.console_secret)} (e.g. openssl rand -hex 32)")
        if self.clock_start is not None:
            try:
                parse_iso(self.clock_start)
            except ValueError:
                raise ConfigError(f"clock start is not an ISO-8601 instant: {self.clock_start!r}") from None
        return self

    def with_overrides(self, **overrides) -> "Config":
        """A copy with every non-None override applied."""
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})

    @classmethod
    def from_env(cls, environ=None) -> "Config":
        env = os.environ if environ is None else environ
        names = {
            "host": ("SANDBOX_HOST", "HOST"),
            "port": ("SANDBOX_PORT", "PORT"),
            "fixtures": ("SANDBOX_FIXTURES",),
            "seed": ("SANDBOX_SEED",),
            "clock_start": ("SANDBOX_CLOCK_START",),
            "threads": ("SANDBOX_THREADS",),
            "controls": ("SANDBOX_CONTROLS",),
            "control_token": ("SANDBOX_CONTROL_TOKEN",),
            "webhook_url": ("SANDBOX_WEBHOOK_URL",),
            "store": ("SANDBOX_STORE",),
            "workers": ("SANDBOX_WORKERS",),
            "namespace_ttl": ("SANDBOX_NAMESPACE_TTL",),
            "profile": ("SANDBOX_PROFILE",),
            "console_secret": ("SANDBOX_CONSOLE_SECRET",),
        }
        values = {}
        for name, variables in names.items():
            for variable in variables:
                raw = env.get(variable)
                if raw is None or raw == "":
                    continue
                if name == "controls":
                    if raw.lower() not in BOOLEAN_WORDS:
                        raise ConfigError(f"{variable} must be on or off, got {raw!r}")
                    values[name] = BOOLEAN_WORDS[raw.lower()]
                elif name in INTEGER_SETTINGS:
                    try:
                        values[name] = int(raw)
                    except ValueError:
                        raise ConfigError(f"{variable} must be an integer, got {raw!r}") from None
                else:
                    values[name] = raw
                break
        return cls(**values).validate()

    def to_env(self) -> dict:
        """The environment that makes `from_env` rebuild this config (for server workers)."""
        env = {"SANDBOX_HOST": self.host, "SANDBOX_PORT": str(self.port), "SANDBOX_THREADS": str(self.threads)}
        env["SANDBOX_CONTROLS"] = "on" if self.controls else "off"
        env["SANDBOX_STORE"] = self.store
        env["SANDBOX_WORKERS"] = str(self.workers)
        env["SANDBOX_NAMESPACE_TTL"] = str(self.namespace_ttl)
        env["SANDBOX_PROFILE"] = self.profile
        for name, variable in (("fixtures", "SANDBOX_FIXTURES"), ("seed", "SANDBOX_SEED"),
                               ("clock_start", "SANDBOX_CLOCK_START"), ("control_token", "SANDBOX_CONTROL_TOKEN"),
                               ("webhook_url", "SANDBOX_WEBHOOK_URL"), ("console_secret", "SANDBOX_CONSOLE_SECRET")):
            value = getattr(self, name)
            if value is not None:
                env[variable] = str(value)
        return env


def _is_redis_url(url: str) -> bool:
    """A URL redis-py's `Redis.from_url` takes: redis:// or rediss:// with a host (and a numeric
    port and database when given), or unix:// with a socket path."""
    if not url.lower().startswith(REDIS_SCHEMES):
        return False
    try:
        parts = urlsplit(url)
        port = parts.port  # ValueError when not a number
    except ValueError:
        return False
    if parts.scheme.lower() == "unix":
        return bool(parts.path)
    database = parts.path.strip("/")
    return bool(parts.hostname) and (port is None or port > 0) and (database == "" or database.isdigit())
