"""Lists and their pages: the pagination block and the filters the escrow lists share."""

from dataclasses import dataclass

from sandbox.clock import parse_iso
from sandbox.store.base import Filter


@dataclass
class Page:
    """One page of a list plus what the pagination block needs."""

    items: list
    count: int
    page: int
    limit: int


def paginate(items: list, page: int, limit: int) -> Page:
    """Slice `items` for a 1-based `page` of `limit` rows; `count` is the total matching."""
    start = (page - 1) * limit
    return Page(items[start : start + limit], len(items), page, limit)


def _date_ms(text: str | None, end: bool = False) -> int | None:
    if text is None:
        return None
    return parse_iso(text + ("T23:59:59.999" if end else "T00:00:00")) if len(text) == 10 else parse_iso(text)


def created_within(query: dict) -> Filter:
    """Created on or after `fromDate` and on or before `toDate` (whole days, UTC)."""
    start, end = _date_ms(query.get("from_date")), _date_ms(query.get("to_date"), end=True)
    return Filter(at_least={} if start is None else {"created_at_ms": start},
                  at_most={} if end is None else {"created_at_ms": end})


def escrow_page(ns, query: dict, where: Filter | None) -> Page:
    """A page of the escrows `where` accepts, newest first: creation order reversed (seeded ids
    may not sort by time)."""
    items, count = ns.page("escrows", query["page"], query["limit"], where)
    return Page(items, count, query["page"], query["limit"])


def history_matching(records: list[dict], kind=None, reference=None, from_ms=None, to_ms=None) -> list[dict]:
    """Transaction records (payment history, the merchant's) of a `transactionType`, a
    `reference` and an inclusive time window; None: any. Order kept."""
    return [
        r for r in records
        if (kind is None or r["transaction_type"] == kind)
        and (reference is None or r["reference"] == reference)
        and (from_ms is None or r["created_at_ms"] >= from_ms)
        and (to_ms is None or r["created_at_ms"] <= to_ms)
    ]
