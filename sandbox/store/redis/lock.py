"""The lock of a Redis namespace: re-entrant in a thread, one thread of a worker at a time, and
across workers a fenced Redis lock taken with the namespace's small `meta` record in one script
(namespace.py begins and ends it). Leaving the outermost level commits the buffered writes."""

import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sandbox.store.redis.namespace import RedisNamespace


class NamespaceLock:
    """`ns.lock` of a Redis namespace: re-entrant within a thread, one thread of this worker
    at a time, and across workers the fenced Redis lock. Leaving the outermost level commits."""

    def __init__(self, ns: "RedisNamespace"):
        self.ns = ns
        self.local = threading.RLock()
        self.owner = None
        self.depth = 0

    def held(self) -> bool:
        return self.owner == threading.get_ident()

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        self.local.acquire()
        self.depth += 1
        if self.depth == 1:
            self.owner = threading.get_ident()  # before _begin: building a new namespace writes under it
            try:
                self.ns._begin()
            except BaseException:
                self.owner, self.depth = None, 0
                self.local.release()
                raise
        return True

    def release(self, commit: bool = True) -> None:
        try:
            if self.depth == 1:
                try:
                    self.ns._end(commit)
                finally:
                    self.owner = None
        finally:
            self.depth -= 1
            self.local.release()

    def __enter__(self):
        self.acquire()
        return self

    def __exit__(self, exc_type, exc, tb):
        self.release(commit=exc_type is None)
        return False


def locked(method):
    """Run a read or write under the namespace lock when the caller does not hold it already."""

    def wrapper(self, *args, **kwargs):
        if self.lock.held():
            return method(self, *args, **kwargs)
        with self.lock:
            return method(self, *args, **kwargs)

    wrapper.__name__, wrapper.__doc__ = method.__name__, method.__doc__
    return wrapper
