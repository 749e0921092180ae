"""sandbox/schemas/fast.py beyond what the suite-wide self-check (SANDBOX_SELF_CHECK) covers:
the fast path's own edges — generators, objects that are not dicts, errors left to marshmallow."""

import pytest
from marshmallow import Schema

from sandbox.domain.errors import BadRequest
from sandbox.schemas.base import load
from sandbox.schemas.escrow import MILESTONE_ESCROW_CREATE, MILESTONES
from sandbox.schemas.fast import compile_load

MILESTONE = {"id": "a" * 24, "title": "Design", "description": None, "amount": 30_000_000, "due_date": None,
             "status": "PENDING", "released_at_ms": None, "customer_id": None}


def test_dump_many_takes_a_generator():
    milestones = [MILESTONE, {**MILESTONE, "id": "b" * 24, "amount": 12_345}]
    assert MILESTONES.dump(m for m in milestones) == Schema.dump(MILESTONES, milestones)
    assert str(MILESTONES.dump(m for m in milestones)[1]["amount"]) == "123.45"  # kobo -> exact naira


def test_dump_of_an_object_uses_marshmallows_accessors():
    class Milestone:
        def __init__(self, **fields):
            self.__dict__.update(fields)

    assert MILESTONES.dump([Milestone(**MILESTONE)]) == MILESTONES.dump([MILESTONE])


@pytest.mark.parametrize("body, message", [
    ({"purpose": "x", "whoPays": "buyer", "milestones": []}, '"amount" is required'),
    ({"amount": 1, "purpose": "x", "whoPays": "buyer", "milestones": [], "extra": 1}, '"extra" is not allowed'),
    ({"amount": 1, "purpose": "x", "whoPays": "buyer", "milestones": [{"title": 5, "amount": 1}]},
     '"milestones[0].title" must be a string'),
    ([], "Request body must be a JSON object"),
])
def test_errors_are_marshmallows(body, message):
    with pytest.raises(BadRequest) as refused:
        load(MILESTONE_ESCROW_CREATE, body)
    assert refused.value.message == message


def test_the_plan_refuses_what_it_does_not_decide():
    plan = compile_load(MILESTONE_ESCROW_CREATE)
    with pytest.raises(Exception) as declined:
        plan({"amount": 1})
    assert type(declined.value).__name__ == "_Refuse"
    assert plan({"amount": 1, "purpose": "x", "whoPays": "buyer", "milestones": [{"title": "a", "amount": 1}]}) == \
        MILESTONE_ESCROW_CREATE.load({"amount": 1, "purpose": "x", "whoPays": "buyer",
                                      "milestones": [{"title": "a", "amount": 1}]})
