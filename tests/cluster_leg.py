"""The Redis Cluster leg of the API suite, for the modules that opt in: a module that imports this
`http` fixture,

    from tests.cluster_leg import http_with_cluster_leg  # noqa: F401  (the `http` fixture, 4 legs)

runs each of its `http` (and `api`, `later`…) tests a fourth time, in-process on the suite's
three-master Redis Cluster (conftest's `redis_cluster`), beside `app`, `live` and `redis`. Only
chosen modules do: the flows whose keys a cluster places differently (milestone and standard
escrows, the controls that copy or replace a whole namespace, the journal, webhooks, page links),
so the whole suite does not run a fourth time.
"""

import pytest

from tests.conftest import CLUSTER_LEG, HTTP_LEGS, http_leg


@pytest.fixture(name="http", params=(*HTTP_LEGS, CLUSTER_LEG))
def http_with_cluster_leg(request):
    """conftest's `http`, with the `redis-cluster` leg (named `http`: it replaces conftest's in
    the module that imports it)."""
    yield from http_leg(request)
