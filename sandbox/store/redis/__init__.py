"""The Redis store: namespaces shared by every worker and replica (store.py: the store;
namespace.py: one namespace seen from a worker; lock.py, commit.py, codec.py; keys.py: the key
names; connect.py: the connection; scripts/*.lua: what runs in Redis).

Atomicity: a fenced per-namespace lock plus one Lua script per commit.
  * `with ns.lock:` takes `<ns>:lock` with `SET NX PX` and a random token (the fence), and in
    the same script (scripts/begin.lua) reads the namespace's small `meta` record, its revision
    and what the operation about to run read by id last time (readahead.py): a by-id operation
    costs one round trip before its commit.
  * Inside, reads go to Redis by id (HMGET, O(1)) when not read ahead; writes are buffered in
    the worker.
  * Leaving the block runs one Lua script (scripts/commit.lua) that checks the lock still holds
    the token and then applies every buffered write and releases the lock. A script runs
    atomically in Redis, so another worker (or a reader) sees all of an operation or none of it;
    a worker whose lock expired (it stalled past LOCK_MS) is refused at commit and nothing it
    buffered is applied. An operation that raises is rolled back (its buffer is dropped).
  * In a request (`begin_request` … `end_request`, api/auth.py and api/journal.py), the lock is
    kept from its first use to the request's end and the writes are committed there with the
    request's journal entry, in the same script (a block that raises still rolls back only its
    own writes). A commit that fails then turns the answer into the 503 (CommitFailed). A
    request that waits on something else (a webhook flush: receivers, other senders) stops
    keeping it first (`stop_keeping`): each later use commits and lets go at its own end.
  * A GET runs without the lock (`ns.read`): one script reads meta, the revision and what it
    read last time; any further read is checked against the revision at the end; a write, a
    namespace to build or a change under it runs it again under the lock.
Why not WATCH/MULTI: every read would need a WATCH of its key and a conflicting commit would
re-run the whole domain operation; a lock makes each operation run once, and the sandbox's
operations are short. Why not one Lua script per operation: the domain is Python.

Connection (connect.py): one Redis, or a Redis Cluster (`redis+cluster://host:port,…`, redis-py's
`RedisCluster`). Nothing else differs: every script and pipeline names keys of one slot.

Keys (keys.py names them; every key of a namespace carries the hash tag `{<id>}`, so a namespace
is one Redis Cluster slot, one shard, and namespaces spread over the shards; `<id>` is a digest of
the secret key, which never appears in a key name):
  sbx:{id}:meta      JSON: clock, id sequence, webhook settings, merchant, fixture, counters
  sbx:{id}:h:<kind>  hash id -> entity JSON            sbx:{id}:o:<kind>  zset id -> insertion order
  sbx:{id}:tokens    hash payment token -> escrow id  sbx:{id}:sum:<kind> hash id -> summary (store.SUMMARIES)
  sbx:{id}:postings  list of ledger postings           sbx:{id}:bal       hash account -> kobo
  sbx:{id}:seq/rev   insertion counter (numbered by the worker under the lock) / revision (+1 per
                     commit that writes; a new namespace's starts at a random number)
  sbx:{id}:lock      the fenced lock
  sbx:{id}:journal   list (capped), jseq, jdrop        sbx:{id}:snaps     hash name -> snapshot info
  sbx:{id}:requests  the rate limit's count in its window (expires with the window; not state)
  sbx:{id}:snap:<digest>:<part>  a snapshot's copy of each state key (COPY, server-side)
Global (outside any namespace):
  sbx:{global}:registry  hash id -> secret key (the webhook signatures; written with `active`)
  sbx:{global}:active    zset id -> expiry: the namespaces the webhook dispatcher visits
    (both carry the tag `{global}`, no namespace's: one slot, so on a cluster one shard holds both)
  sbx:link:<token>   a checkout or authorisation page's namespace, with the namespace TTL (no tag:
    read by its token alone, each link hashes on its whole name, so links spread over the shards)
The console's (sessions.py uses them; outside `sbx:*`, so `drop_all` leaves them; each used alone):
  sbx-console:<digest of a session id> (a signed-in session, expiring with it) and
  sbx-console:secret (the cookie signing key).
Idle namespaces expire: every key gets the namespace TTL again when written, and all of a
namespace's keys at least every TOUCH_SECONDS while it is used.
"""

from sandbox.store.redis.keys import PREFIX
from sandbox.store.redis.store import RedisStore

__all__ = ["PREFIX", "RedisStore"]
