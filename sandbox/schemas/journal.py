"""Schemas of the request journal (sandbox/controlplane/recorder.py): the filters of
`GET /_sandbox/requests`. (The wire shape of an entry is `JournalEntrySchema` in answers.py.)"""

import re

from marshmallow import ValidationError, fields, validate

from sandbox.clock import parse_iso
from sandbox.schemas.base import NON_EMPTY, RequestSchema, WholeNumber

MAX_LIMIT = 1000  # largest page `GET /_sandbox/requests?limit=` serves (= the journal's capacity)
DEFAULT_LIMIT = 50

STATUS_CLASS = re.compile(r"^([1-5])xx$", re.IGNORECASE)


class StatusFilter(fields.Field):
    """`404` (exact) or `4xx` (a class): loads as ("exact", 404) or ("class", 4)."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = value.strip() if isinstance(value, str) else ""
        if text.isdigit() and len(text) == 3:
            return ("exact", int(text))
        match = STATUS_CLASS.match(text)
        if match:
            return ("class", int(match.group(1)))
        raise ValidationError("must be a status code (404) or a class (4xx)")


class Instant(fields.Field):
    """An ISO-8601 instant, loaded as epoch milliseconds."""

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return parse_iso(value.strip())
        except (AttributeError, TypeError, ValueError):
            raise ValidationError("must be an ISO-8601 instant (2026-06-22T10:15:00.000Z)") from None


class JournalQuerySchema(RequestSchema):
    """The query of `GET /_sandbox/requests`; unknown parameters are refused like unknown fields."""

    method = fields.String(validate=NON_EMPTY)
    path = fields.String(validate=NON_EMPTY)
    status = StatusFilter()
    customer_id = fields.String(data_key="customerId", validate=NON_EMPTY)
    since = Instant()
    limit = WholeNumber(lenient=True, load_default=DEFAULT_LIMIT,
                        validate=validate.Range(max=MAX_LIMIT, error=f"must be less than or equal to {MAX_LIMIT}"))


JOURNAL_QUERY = JournalQuerySchema()
