"""How a namespace's lock and commit reach Redis (namespace.py and commit.py call them the same way
on either kind of connection).

On a Redis Cluster (`ScriptCommit`): the lock is taken by scripts/begin.lua and the commit is one
Lua script, scripts/commit.lua, that checks the lock still holds the fence token and applies the
commands.

On one Redis (`Transactions`): the same begin script takes the lock, and in the same round trip
this thread's connection WATCHes the lock key and reads it back; the commit is then plain commands
in MULTI/EXEC on that connection. A lock that expired or was taken over changes the key, so Redis
refuses the EXEC (nothing applied) — the fence, without passing the writes through Lua (a command's
arguments cost Redis ~1 µs per KB to cross into Lua and back; the writes of a request are a few KB).
The journal entry's id is Redis's count of entries (scripts/journal.lua says how).

WATCH is per connection: the thread's connection (runner.Connections) carries every lock the thread
holds, and EXEC (or a failed take) clears them all, so each round trip ends by watching again what
is still held and reading it back; a read-back that is not the token means the lock was lost, and
that namespace's commit is refused. A reconnect (Redis restarted) loses the watches: they are set
again, and read back, in a round trip of their own before the next commit."""

import threading

import redis

from hiredis import pack_command as pack
from sandbox.store.redis.codec import as_text
from sandbox.store.redis.runner import DOWN

LETTERS = {"HSET": "H", "HDEL": "D", "ZREM": "R", "RPUSH": "P", "HINCRBY": "I", "SET": "S", "DEL": "X",
           "COPY": "C", "PEXPIRE": "E"}  # the commit's op letters (scripts/commit.lua)


class Fenced(Exception):
    """The namespace lock was lost before the commit: nothing was applied."""


class ScriptCommit:
    """The commit as one Lua script (scripts/commit.lua): on a Redis Cluster, and on one Redis for
    a commit that copies keys (a snapshot's save or restore), whose insertion counter only Redis
    knows."""

    def __init__(self, script):
        self.script = script

    def __call__(self, keys, token, release, ttl, ops, seq):
        args = [token, "1" if release else "0", ttl]
        for op in ops:
            args.extend(op)
        try:
            rev, entry_id, seq = self.script(keys=keys, args=args)
        except redis.ResponseError as err:
            if "FENCED" in str(err):
                raise Fenced() from None
            raise
        return int(rev), int(entry_id), int(seq)


class _Held(threading.local):
    def __init__(self):
        self.locks: dict[str, str] = {}  # lock key -> fence token, watched on `sock`
        self.sock = None  # the socket the watches were set on (a reconnect loses them)
        self.stray = False  # a failed take left its key watched


class Transactions:
    """One Redis: the lock's take watches it; the commit is MULTI/EXEC (module docstring)."""

    def __init__(self, connections, begin_script, fallback: ScriptCommit):
        self.connections, self.begin_script, self.fallback = connections, begin_script, fallback
        self.held = _Held()

    # -- the round trips ------------------------------------------------------------------------
    def _run(self, conn, commands: list[tuple]) -> list:
        """Send `commands` in one write and read every answer (an error answer is returned, not
        raised, so the connection stays in step)."""
        try:
            conn.send_packed_command([pack(command) for command in commands])
            answers = []
            for _ in commands:
                try:
                    answers.append(conn.read_response())
                except redis.ResponseError as err:
                    answers.append(err)
            return answers
        except DOWN:
            conn.disconnect()
            self.held.locks.clear()  # a new connection watches nothing: every commit is refused
            raise

    def _watch(self, held: dict) -> list[tuple]:
        """Commands that watch the held locks and read them back (checked by `_check`)."""
        if not held:
            return []
        return [("WATCH", *held), *(("GET", key) for key in held)]

    def _check(self, held: dict, answers: list) -> None:
        """Forget the locks whose read-back is not their token (their commit will be refused)."""
        for key, answer in zip(list(held), answers[-len(held):] if held else []):
            if as_text(answer) != held[key]:
                self.held.locks.pop(key, None)
                self.held.stray = True  # it stays watched until the next round trip unwatches it

    def _connection(self):
        conn = self.connections.get()
        if conn._sock is None:
            conn.connect()
        return conn

    # -- the lock's take -----------------------------------------------------------------------------
    def begin(self, keys, args):
        """What scripts/begin.lua answers, for the same keys and arguments. A lock-free read is the
        script itself (one consistent read; an escrow found by its payment token in the same trip).
        The lock's take is plain commands in one round trip: SET NX PX, WATCH and read back every
        lock the thread holds, then meta, the revision, the counter and the reads ahead (an escrow
        by token: its id only; a capped collection: its count and 8 oldest ids)."""
        token = args[0]
        if not token:
            return self.begin_script(keys=keys, args=args)
        lock, state = keys[0], self.held
        conn = self._connection()
        if state.sock is not conn._sock:  # a new connection: the held locks are watched again
            state.sock, state.stray = conn._sock, True
        prefix = [("UNWATCH",)] if state.stray else []
        held = dict(state.locks, **{lock: token})
        commands = [*prefix, ("SET", lock, token, "NX", "PX", args[1]), *self._watch(held),
                    *(("GET", key) for key in keys[1:4])]
        shape, k = [], 4
        for i in range(2, len(args), 2):
            letter, field = args[i], args[i + 1]
            if letter == "h" or letter == "t":
                commands.append(("HGET", keys[k], field))
                k += 1 if letter == "h" else 2
            elif letter == "c":
                commands += [("ZCARD", keys[k]), ("ZRANGE", keys[k], 0, 7)]
                k += 1
            else:
                raise ValueError(f"unknown read {letter}")
            shape.append(letter)
        answers = self._run(conn, commands)
        for answer in answers:
            if isinstance(answer, Exception):
                state.stray = True
                raise answer
        taken = answers[len(prefix)] is not None
        state.stray = not taken  # a failed take watched another holder's lock
        checked = answers[:len(prefix) + 2 + len(held)]
        if taken:
            state.locks[lock] = token
            self._check(held, checked)
        else:
            self._check(state.locks, checked[:-1])
            return [0]
        values = iter(answers[len(prefix) + 2 + len(held):])
        reply = [1, next(values) or "", next(values) or "0", next(values) or "0"]
        for letter in shape:
            reply.append(next(values))
            if letter == "t":
                reply.append("")  # the escrow itself is read when the operation asks for it
            elif letter == "c":
                reply.append(next(values))
        return reply

    # -- the commit -------------------------------------------------------------------------------
    def __call__(self, keys, token, release, ttl, ops, seq):
        if any(op[0] == "C" and keys[int(op[2]) - 1] == keys[2] for op in ops):  # a copied counter
            try:
                return self.fallback(keys, token, release, ttl, ops, seq)
            except Fenced:
                release = True
                raise
            finally:
                if release:  # the script deleted the watched key (or it was lost): unwatch it next time
                    self.held.locks.pop(keys[0], None)
                    self.held.stray = True
        state = self.held
        lock = keys[0]
        conn = self._connection()
        if state.sock is not conn._sock or state.stray:  # watches lost or polluted: set them again
            state.sock, state.stray = conn._sock, False
            locks = dict(state.locks)
            self._check(locks, self._run(conn, [("UNWATCH",), *self._watch(locks)]))
        if state.locks.get(lock) != token:
            raise Fenced()
        commands, rev_at, journal_at, seq = self._commands(keys, ttl, ops, seq)
        if release:
            commands.append(("DEL", lock))
        after = dict(state.locks)
        if release:
            del after[lock]
        answers = self._run(conn, [("MULTI",), *commands, ("EXEC",), *self._watch(after)])
        done = answers[len(commands) + 1]
        if release:
            state.locks.pop(lock, None)
        self._check(after, answers)
        if done is None:  # a watched lock changed: nothing was applied
            state.locks.pop(lock, None)
            state.stray = True
            raise Fenced()
        if isinstance(done, Exception):
            raise done
        for answer in done:
            if isinstance(answer, Exception):
                raise answer
        entry_id = int(done[journal_at]) if journal_at is not None else 0
        return int(done[rev_at] or 0), entry_id, seq

    @staticmethod
    def _journal(jn: str, jlog: str, entry: str, capacity: int) -> list[tuple]:
        """Append a journal entry (what scripts/journal.lua does); INCR's answer is its id."""
        return [("INCR", jn), ("RPUSH", jlog, entry), ("LTRIM", jlog, -int(capacity), -1)]

    def journal(self, keys, args):
        """scripts/journal.lua's append (KEYS jn, jlog; ARGV entry, capacity, TTL ms) as MULTI/EXEC on
        this thread's connection (the held locks watched again after it)."""
        (jn, jlog), (entry, capacity, ttl) = keys, args
        conn = self._connection()
        state = self.held
        if state.sock is not conn._sock:
            state.sock, state.stray = conn._sock, True
        prefix = [("UNWATCH",)] if state.stray else []
        held = dict(state.locks)
        commands = [*prefix, ("MULTI",), *self._journal(jn, jlog, entry, capacity),
                    ("PEXPIRE", jn, ttl), ("PEXPIRE", jlog, ttl), ("EXEC",), *self._watch(held)]
        answers = self._run(conn, commands)
        state.stray = False
        self._check(held, answers)
        done = answers[len(prefix) + 6]
        if isinstance(done, Exception):
            raise done
        return done[0]

    def _commands(self, keys, ttl, ops, seq):
        """The commit's ops as plain commands (what scripts/commit.lua does, but every written key
        gets the TTL again rather than only those a write may have created). Answers the commands,
        the positions of the revision and the journal id in EXEC's answer, and the counter after."""
        commands, expire, wrote, journal_at = [], {}, False, None
        seq_key, start = keys[2], seq
        px = ("PX", ttl) if ttl > 0 else ()
        for op in ops:
            letter, key = op[0], keys[int(op[1]) - 1]
            if letter == "H":
                commands.append(("HSET", key, op[2], op[3]))
            elif letter == "Z":
                seq += 1
                commands.append(("ZADD", key, "NX", seq, op[2]))
            elif letter == "D":
                commands.append(("HDEL", key, op[2]))
            elif letter == "R":
                commands.append(("ZREM", key, op[2]))
            elif letter == "P":
                commands.append(("RPUSH", key, op[2]))
            elif letter == "I":
                commands.append(("HINCRBY", key, op[2], op[3]))
            elif letter == "S":
                commands.append(("SET", key, op[2], *px))
                if key == seq_key:
                    seq = start = int(op[2])
            elif letter == "X":
                commands.append(("DEL", key))
                if key == seq_key:
                    seq = start = 0
            elif letter == "J":
                journal_at = len(commands)
                commands += self._journal(keys[int(op[2]) - 1], key, op[4], op[3])
                expire[keys[int(op[2]) - 1]] = True
            elif letter == "C":
                commands += [("DEL", keys[int(op[2]) - 1]), ("COPY", key, keys[int(op[2]) - 1])]
                expire[keys[int(op[2]) - 1]] = True
            elif letter != "E":
                raise ValueError(f"unknown commit op {letter}")
            if letter not in "EJ":
                wrote = True
            if letter not in "DRXC":
                expire[key] = True
        if seq != start:
            commands.append(("SET", seq_key, seq, *px))
        rev_at = len(commands)
        commands.append(("INCR", keys[1]) if wrote else ("GET", keys[1]))
        if wrote:
            expire[keys[1]] = True
        if ttl > 0:
            commands += [("PEXPIRE", key, ttl) for key in expire]
        return commands, rev_at, journal_at, seq
