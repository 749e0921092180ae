"""The store's encoded representation: exact round trips, independent snapshots, chunked
ledger, O(page) lists — the properties the speed and memory work (issue 9) rests on."""

import json

import pytest

from sandbox.store.base import Filter, new_state
from sandbox.store.memory import Codec, Ledger, MemoryNamespace

ESCROW = {"id": "6b0852dd4bfd15bc6d6031a5", "payment_token": "PY_y5C1YvcW1351", "status": "COMPLETED",
          "state": "CLOSED", "purpose": "Ẹ̀kọ́ 🎓 \"quoted\" \\ back\nline", "amount": 2**53 - 1, "fee": 0,
          "dispute": None, "milestones": [{"id": "a" * 24, "amount": 1, "customer_id": None}],
          "seller_id": "665f1b2c9a1e4d0012ab3c30", "buyer_id": "665f1b2c9a1e4d0012ab3c31", "category_id": None,
          "created_at_ms": 1, "settlement_type": "MILESTONE", "held": 0}


@pytest.mark.parametrize("pack", [False, True])
def test_codec_round_trips_exactly(pack):
    codec = Codec([])
    text = codec.encode(ESCROW, pack=pack)
    assert isinstance(text, str)
    assert codec.decode(text) == ESCROW and list(codec.decode(text)) == list(ESCROW)
    # A second codec over the same (JSON-copied) shape table decodes it too: the table is state.
    assert Codec(json.loads(json.dumps(codec.shapes))).decode(text) == ESCROW


def test_codec_packs_closed_entities_smaller():
    codec = Codec([])
    codec.encode(ESCROW)
    second = {**ESCROW, "id": "6b0852dd4bfd15bc6d6031b6", "payment_token": "PY_zzzzzzzz0000", "amount": 5}
    assert len(codec.encode(second, pack=True)) < len(codec.encode(second)) / 2


def test_codec_takes_what_orjson_refuses():
    codec = Codec([])
    odd = {"big": 10**30, "text": "\ud800"}
    assert codec.decode(codec.encode(odd)) == odd


def test_ledger_chunks_keep_every_posting_in_order():
    ledger = {"chunks": [], "postings": [], "balances": {}}
    texts = [f"0:[{n}]" for n in range(Ledger.CHUNK * 2 + 7)]
    for text in texts:
        Ledger.append(ledger, text)
    assert len(ledger["chunks"]) == 2 and len(ledger["postings"]) == 7
    assert list(Ledger.texts(ledger)) == texts


def _namespace_with(count: int) -> MemoryNamespace:
    ns = MemoryNamespace(new_state(1, 0))
    for n in range(count):
        ns.save_escrow({**ESCROW, "id": f"{n:024x}", "payment_token": f"PY_{n:012d}",
                        "state": "CLOSED" if n % 2 else "OPENED", "created_at_ms": n})
    return ns


def test_snapshots_are_independent_of_later_changes():
    ns = _namespace_with(10)
    before = json.dumps(ns.export_state())
    ns.snapshot_save("s", 0)
    ns.save_escrow({**ESCROW, "id": "f" * 24, "payment_token": "PY_ffffffffffff"})
    ns.state["clock"]["frozen_ms"] = 99
    ns.state["webhook"]["faults"].append("timeout")
    assert json.dumps(ns.snapshot_export("s")) == before
    ns.snapshot_restore("s")
    assert json.dumps(ns.export_state()) == before
    ns.save_escrow({**ESCROW, "id": "e" * 24, "payment_token": "PY_eeeeeeeeeeee"})  # the restored copy is its own
    assert json.dumps(ns.snapshot_export("s")) == before


def test_export_and_replace_state_round_trip():
    ns = _namespace_with(600)
    ns.append_posting({"id": "p", "at_ms": 1, "kind": "k", "entries": [["a", -1], ["b", 1]]})
    exported = ns.export_state()
    copy = MemoryNamespace(exported)
    assert json.dumps(copy.export_state()) == json.dumps(exported)
    assert copy.get_escrow_by_token("PY_000000000003")["id"] == f"{3:024x}"


def test_pages_are_newest_first_and_counted():
    ns = _namespace_with(50)
    items, count = ns.page("escrows", 2, 10)
    assert count == 50 and [e["created_at_ms"] for e in items] == list(range(39, 29, -1))
    items, count = ns.page("escrows", 1, 3, Filter(among={"created_at_ms": range(0, 50, 5)}))
    assert count == 10 and [e["created_at_ms"] for e in items] == [45, 40, 35]


def test_a_filter_on_summarised_fields_decodes_nothing_and_others_decode(monkeypatch):
    """The store interprets a filter: from the summaries when they answer it (a flag only as
    present/absent), by decoding when it names any other field."""
    ns = _namespace_with(3)
    decoded = []
    decode = ns.codec.decode
    monkeypatch.setattr(ns.codec, "decode", lambda text: decoded.append(text) or decode(text))
    assert len(ns.find("escrows", Filter(equal={"status": "COMPLETED"}, absent=("dispute",)))) == 3
    assert len(decoded) == 3  # the three answers only
    decoded.clear()
    assert ns.find("escrows", Filter(equal={"purpose": "nothing"})) == []
    assert len(decoded) == 3  # every escrow, to read a field no summary holds
