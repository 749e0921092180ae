"""Ids, payment tokens and the namespace clock."""

import re

from sandbox import clock, ids


def test_seeded_ids_repeat():
    a, b = ids.new_id_state(7), ids.new_id_state(7)
    assert [ids.new_object_id(a, 0) for _ in range(3)] == [ids.new_object_id(b, 999) for _ in range(3)]
    assert ids.new_payment_token(a) == ids.new_payment_token(b)


def test_unseeded_ids_carry_a_time_prefix():
    state = ids.new_id_state(None)
    value = ids.new_object_id(state, 1782123300000)
    assert value.startswith(f"{1782123300:08x}") and ids.is_object_id(value)
    assert ids.new_object_id(state, 1782123300000) != value


def test_payment_token_shape():
    state = ids.new_id_state(None)
    for _ in range(200):
        assert re.fullmatch(r"PY_[A-Za-z0-9]{8}\d{4}", ids.new_payment_token(state))


def test_is_object_id():
    assert ids.is_object_id("665f1b2c9a1e4d0012ab3c40")
    assert ids.is_object_id("665F1B2C9A1E4D0012AB3C40")
    assert not ids.is_object_id("665f1b2c9a1e4d0012ab3c4")
    assert not ids.is_object_id("665f1b2c9a1e4d0012ab3c4z")
    assert not ids.is_object_id(None)


def test_iso_format_and_parse():
    ms = clock.parse_iso("2026-06-22T10:15:00.123Z")
    assert clock.iso(ms) == "2026-06-22T10:15:00.123Z"
    assert clock.parse_iso("2026-06-22T10:15:00") == clock.parse_iso("2026-06-22T10:15:00+00:00")


def test_frozen_clock_stays_put_running_clock_moves():
    frozen = clock.new_clock_state(1000)
    assert clock.now_ms(frozen) == 1000 == clock.now_ms(frozen)
    running = clock.new_clock_state()
    running["offset_ms"] = 86_400_000
    assert clock.now_ms(running) - clock.real_ms() >= 86_400_000 - 1000
