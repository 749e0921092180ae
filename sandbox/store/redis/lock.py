"""The lock of a Redis namespace: re-entrant in a thread, one thread of a worker at a time, and
across workers a fenced Redis lock taken with the namespace's small `meta` record (and what the
expected operation will read) in one script (namespace.py begins and ends it). Leaving the
outermost level commits the buffered writes — or, in a request (`begin_request`), keeps the lock
and the writes to the request's end, where they are committed with its journal entry (`finish`)."""

import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sandbox.store.redis.namespace import RedisNamespace


class NamespaceLock:
    """`ns.lock` of a Redis namespace: re-entrant within a thread, one thread of this worker
    at a time, and across workers the fenced Redis lock. Leaving the outermost level commits,
    unless the thread's request keeps it (`kept`) until `finish`."""

    def __init__(self, ns: "RedisNamespace"):
        self.ns = ns
        self.local = threading.RLock()
        self.owner = None
        self.depth = 0
        self.kept = False  # held past its outermost `with`, to the end of the owner's request
        self.thread = threading.local()  # .request: this thread serves a request on the namespace

    def held(self) -> bool:
        return self.owner == threading.get_ident()

    def in_request(self) -> bool:
        return getattr(self.thread, "request", False)

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        if self.ns._reader == threading.get_ident():
            raise NeedsLock()  # a lock-free read that wants the lock after all: it runs again, locked
        self.local.acquire()
        self.depth += 1
        if self.depth == 1:
            if self.kept:  # the request's operation goes on: what earlier blocks wrote stays written
                try:
                    self.ns._checkpoint()
                except BaseException:
                    self.depth -= 1
                    self.local.release()
                    raise
                return True
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
                if self.in_request():
                    if not commit:
                        self.ns._rollback()
                    if not self.kept:
                        self.kept = True
                        self.local.acquire()  # the request's own hold, let go by `finish`
                    return
                try:
                    self.ns._end(commit)
                finally:
                    self.owner = None
                    if self.kept:  # an outer hold outlived the request's end (`response_lost`)
                        self.kept = False
                        self.local.release()
        finally:
            self.depth -= 1
            self.local.release()

    def finish(self):
        """The end of the owner's request: commit what it kept (with its journal entry) and let go.
        Answers the commit's journal entry id (None when there was none or nothing was kept)."""
        self.thread.request = False
        if not (self.kept and self.held() and self.depth == 0):
            return None
        try:
            return self.ns._end(True)
        finally:
            self.kept, self.owner = False, None
            self.local.release()

    def __enter__(self):
        self.acquire()
        return self

    def __exit__(self, exc_type, exc, tb):
        self.release(commit=exc_type is None)
        return False


def locked(method):
    """Run a read or write under the namespace lock when the caller does not hold it already (a
    lock-free read, `ns.read`, runs it as it is: the namespace refuses writes there)."""

    def wrapper(self, *args, **kwargs):
        if self.lock.held() or self._reader == threading.get_ident():
            return method(self, *args, **kwargs)
        with self.lock:
            return method(self, *args, **kwargs)

    wrapper.__name__, wrapper.__doc__ = method.__name__, method.__doc__
    return wrapper


def writes(method):
    """A write: under the namespace lock (taken when the caller does not hold it); in a lock-free
    read it raises NeedsLock, and the read runs again under the lock."""

    def wrapper(self, *args, **kwargs):
        if self.lock.held():
            return method(self, *args, **kwargs)
        if self._reader == threading.get_ident():
            raise NeedsLock()
        with self.lock:
            return method(self, *args, **kwargs)

    wrapper.__name__, wrapper.__doc__ = method.__name__, method.__doc__
    return wrapper


class NeedsLock(Exception):
    """A lock-free read met a write, a namespace to build, or a change under it: run it locked."""
