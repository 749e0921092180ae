"""The request journal: what each journaled request captured, the search behind
`GET /_sandbox/requests` (its filters are sandbox/schemas/journal.py), and the wire shape of an entry.

Journaling sits on the hot path of every keyed request, so an entry is stored *raw*: the first
`BODY_LIMIT` bytes of each body (secret keys already blanked), the raw query string, the clock
reading in epoch ms. Parsing JSON, decoding text and formatting times happen in `render`, only for
the entries a reader actually fetches. Nothing here needs Flask: the hooks in sandbox/api/journal.py
hand over plain values.
"""

import json
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

from sandbox.clock import iso
# The filters `search` takes, as `GET /_sandbox/requests` loads them (sandbox/api/journal.py
# reads them as `recorder.JOURNAL_QUERY`).
from sandbox.schemas.journal import JOURNAL_QUERY  # noqa: F401

BODY_LIMIT = 4096  # bytes kept of each request and response body (per form field for forms)

# Any Payluk secret key (the caller's or another, e.g. the new key of `POST /_sandbox/fork`).
# A key cut at the BODY_LIMIT boundary still matches (`*`), so no prefix of one survives.
SECRET = re.compile(r"sk_(test|live)_[A-Za-z0-9_\-]*")
SECRET_BYTES = re.compile(rb"sk_(test|live)_[A-Za-z0-9_\-]*")
REDACTED = r"sk_\1_[REDACTED]"
REDACTED_BYTES = rb"sk_\1_[REDACTED]"

TEXT_TYPES = ("application/xml", "application/javascript", "application/x-ndjson", "application/graphql")


# -- capture (hot path) -------------------------------------------------------------------------

def redact(text: str | None) -> str | None:
    """`text` with every secret key blanked (a plain substring test first: keys are rare)."""
    if text and "sk_" in text:
        return SECRET.sub(REDACTED, text)
    return text


# Query parameters whose value is a credential whatever it looks like: the control token, which
# the Pact state-change URL may carry (`?token=`; sandbox/api/auth.py).
SECRET_PARAMETERS = frozenset({"token"})
REDACTED_VALUE = "[REDACTED]"


def redact_query(raw: str | None) -> str | None:
    """A WSGI query string (latin-1 text) with every secret key and every `token` value blanked,
    percent-encoded ones too (`sk%5Ftest%5F…`): decoded, redacted and encoded again when it may
    hold one, else as it came (the usual case, on the hot path)."""
    if not raw or "%" not in raw and "token" not in raw.lower():
        return redact(raw)
    pairs = parse_qsl(raw.encode("latin-1", "replace").decode("utf-8", "replace"), keep_blank_values=True)
    kept = [(redact(name), REDACTED_VALUE if name.lower() in SECRET_PARAMETERS else redact(value))
            for name, value in pairs]
    return raw if kept == pairs else urlencode(kept)


def _redact_bytes(raw: bytes) -> bytes:
    return SECRET_BYTES.sub(REDACTED_BYTES, raw) if b"sk_" in raw else raw


def body_kind(mimetype: str) -> str:
    """How a body of this media type is kept: `json` (parsed when read back; also the guess for
    an unlabelled body), `text`, or `binary` (only its type and size)."""
    if not mimetype or mimetype == "application/json" or mimetype.endswith("+json"):
        return "json"
    if mimetype.startswith("text/") or mimetype in TEXT_TYPES or mimetype.endswith("+xml"):
        return "text"
    return "binary"


def capture_raw(raw: bytes, mimetype: str) -> tuple | None:
    """A JSON/text/binary body as kept in an entry: `(kind, prefix bytes, truncated)` or
    `("binary", media type, size)`."""
    if not raw:
        return None
    kind = body_kind(mimetype)
    if kind == "binary":
        return ("binary", mimetype, len(raw))
    return (kind, _redact_bytes(raw[:BODY_LIMIT]), len(raw) > BODY_LIMIT)


def capture_form(field_lists, file_lists) -> tuple | None:
    """A multipart / urlencoded body: text fields (each cut at BODY_LIMIT characters) and, for
    each uploaded file, only `{filename, size}` — file contents are never kept.

    `field_lists`: (name, [values]); `file_lists`: (name, [(filename, size)])."""
    out, truncated = {}, False
    for name, values in field_lists:
        kept = []
        for value in values:
            if len(value) > BODY_LIMIT:
                value, truncated = value[:BODY_LIMIT], True
            kept.append(redact(value))
        out[redact(name)] = kept[0] if len(kept) == 1 else kept
    for name, uploads in file_lists:
        kept = [{"filename": redact(filename), "size": size} for filename, size in uploads]
        out[redact(name)] = kept[0] if len(kept) == 1 else kept
    return ("form", out, truncated) if out else None


def omitted(mimetype: str, size: int | None) -> tuple:
    """A body the journal did not read (larger than the server accepts, or streamed)."""
    return ("omitted", mimetype, size)


# -- reading (cold path) ------------------------------------------------------------------------

def _body(capture) -> tuple:
    """(wire value, truncated) of a kept body."""
    if capture is None:
        return None, False
    kind = capture[0]
    if kind == "form":
        return capture[1], capture[2]
    if kind in ("binary", "omitted"):
        value = {"contentType": capture[1] or None, "size": capture[2]}
        return value, kind == "omitted"
    raw, truncated = capture[1], capture[2]
    text = raw.decode("utf-8", "ignore" if truncated else "replace")
    if kind == "json" and not truncated:
        try:
            return json.loads(text), False
        except (ValueError, RecursionError):  # kept as text when Python cannot parse it back
            pass
    return text, truncated


def _query(raw: str) -> dict:
    """The query string's parameters; a repeated one becomes a list. `raw` is WSGI text (bytes
    as latin-1), so a client that sent UTF-8 unescaped is read back as UTF-8."""
    raw = raw.encode("latin-1", "replace").decode("utf-8", "replace")
    out: dict = {}
    for name, value in parse_qsl(raw, keep_blank_values=True):
        if name in out:
            out[name] = out[name] + [value] if isinstance(out[name], list) else [out[name], value]
        else:
            out[name] = value
    return out


def render(entry: dict) -> dict:
    """The wire form of one journal entry (camelCase, ISO time on the namespace clock)."""
    request_body, request_cut = _body(entry["request"])
    response_body, response_cut = _body(entry["response"])
    return {
        "id": entry["id"],
        "at": iso(entry["at_ms"]),
        "method": entry["method"],
        "path": entry["path"],
        "query": _query(entry["query"]) if entry["query"] else {},
        "status": entry["status"],
        "latencyMs": entry["latency_ms"],
        "customerId": entry["customer_id"],
        "scenario": entry["scenario"],
        "profile": entry.get("profile"),  # (entries recorded before profiles have none)
        "ip": entry["ip"],
        "requestBody": request_body,
        "requestBodyTruncated": request_cut,
        "responseBody": response_body,
        "responseBodyTruncated": response_cut,
    }


# -- search (GET /_sandbox/requests) ----------------------------------------------------------------

@dataclass
class Found:
    """A page of matching entries, newest first, and how many matched in all."""

    entries: list
    count: int


def search(entries: list, query: dict) -> Found:
    """Entries (oldest first, as the journal holds them) that pass every filter, newest first,
    cut to `query["limit"]`. `method` matches whatever its case, `path` is a prefix,
    `customerId` matches whatever its case, `since` keeps entries at or after that instant."""
    method = query.get("method", "").upper() or None
    path = query.get("path")
    status = query.get("status")
    customer = query.get("customer_id", "").lower() or None
    since = query.get("since")
    matching = []
    for entry in reversed(entries):
        if method is not None and entry["method"] != method:
            continue
        if path is not None and not entry["path"].startswith(path):
            continue
        if status is not None:
            how, value = status
            if (entry["status"] if how == "exact" else entry["status"] // 100) != value:
                continue
        if customer is not None and (entry["customer_id"] or "").lower() != customer:
            continue
        if since is not None and entry["at_ms"] < since:
            continue
        matching.append(entry)
    return Found(matching[:query["limit"]], len(matching))


def find(entries: list, entry_id: str) -> dict | None:
    """The entry with this id (as written in a URL), or None."""
    # ASCII digits only ("²".isdigit() is true, and int() refuses it), and no more than an id can have.
    if not (entry_id.isascii() and entry_id.isdigit()) or len(entry_id) > 18 or not entries:
        return None
    wanted = int(entry_id)
    # Ids in the journal are consecutive, so the position is usually exact; scan otherwise.
    index = wanted - entries[0]["id"]
    if 0 <= index < len(entries) and entries[index]["id"] == wanted:
        return entries[index]
    return next((e for e in entries if e["id"] == wanted), None)
