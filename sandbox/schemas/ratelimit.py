"""Schemas of the rate-limit control (`GET`/`PUT /_sandbox/rate-limit`, sandbox/controlplane/ratelimit.py)."""

from marshmallow import fields

from sandbox.controlplane import ratelimit
from sandbox.schemas.base import RequestSchema, StrictBool, WholeNumber
from sandbox.schemas.fast import WireSchema


class RateLimitChoiceSchema(RequestSchema):
    """PUT /_sandbox/rate-limit: on or off, with the limit and window (Payluk's 10 a minute when
    left out); the whole setting is replaced and the count starts again."""

    enabled = StrictBool(required=True)
    limit = WholeNumber(load_default=ratelimit.LIMIT, minimum=1, maximum=ratelimit.MAX_LIMIT,
                        metadata={"description": "requests per window, every /v1 route together"})
    window_seconds = WholeNumber(data_key="windowSeconds", load_default=ratelimit.WINDOW_SECONDS, minimum=1,
                                 maximum=ratelimit.MAX_WINDOW_SECONDS,
                                 metadata={"description": "the window's length in seconds of real time"})


class RateLimitSchema(WireSchema):
    """The namespace's rate limit and whether it is enforced now."""

    enabled = fields.Boolean(metadata={"description": "switched on for this namespace (off by default)"})
    limit = fields.Integer(metadata={"description": "requests per window, every /v1 route together"})
    window_seconds = fields.Integer(data_key="windowSeconds",
                                    metadata={"description": "the window's length in seconds of real time"})
    active = fields.Boolean(metadata={"description": "enforced now: enabled and the namespace answers by profile "
                                                     f"{ratelimit.SINCE} (under earlier profiles it counts nothing)"})


RATE_LIMIT_CHOICE = RateLimitChoiceSchema()
RATE_LIMIT = RateLimitSchema()
