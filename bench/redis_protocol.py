"""What a write costs a Redis server and its client, by how it is sent: 20 HSETs of 800 bytes as
one Lua script, as 20 commands in MULTI/EXEC, as one HSET of 20 fields in MULTI/EXEC, and as a
pipeline of 20 commands; a PING round trip is the baseline measured in the same run. Real CPU:
the redis-server's (INFO cpu, user + sys) and this process's, per round trip.

Why the Redis store commits with a script (sandbox/store/redis/__init__.py): `INFO commandstats`
counts a script's commands twice and leaves out what each command sent costs (parsing, the
`QUEUED` reply, the client reading it), so it favours MULTI/EXEC; real CPU does not.

    python bench/redis_protocol.py [--rounds 4000]      # a private redis-server
"""

import argparse
import sys
from pathlib import Path

sys.path.append(str(Path(__file__).resolve().parent.parent))
from bench.redis_cost import cpu_per_round, on_private_redis  # noqa: E402

WRITES, SIZE = 20, 800
SCRIPT = "for i = 1, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end return 1"


def measure(url: str, rounds: int) -> dict:
    import redis
    from hiredis import pack_command as pack

    client = redis.Redis.from_url(url)
    conn = client.connection_pool.make_connection()
    conn.connect()
    sha = client.script_load(SCRIPT)
    fields = [x for i in range(WRITES) for x in (f"f{i}", "v" * SIZE)]
    shapes = {
        "PING (the baseline)": ([("PING",)], 1),
        f"one script, {WRITES} HSETs inside": ([("EVALSHA", sha, 1, "h1", *fields)], 1),
        f"MULTI/EXEC, {WRITES} HSETs": ([("MULTI",), *[("HSET", "h2", f"f{i}", "v" * SIZE) for i in range(WRITES)],
                                         ("EXEC",)], WRITES + 2),
        f"MULTI/EXEC, one HSET of {WRITES} fields": ([("MULTI",), ("HSET", "h3", *fields), ("EXEC",)], 3),
        f"pipeline, {WRITES} HSETs": ([("HSET", "h4", f"f{i}", "v" * SIZE) for i in range(WRITES)], WRITES),
    }

    results = {}
    for name, (commands, replies) in shapes.items():
        packed = [pack(command) for command in commands]

        def once():
            conn.send_packed_command(packed)
            for _ in range(replies):
                conn.read_response()

        results[name] = cpu_per_round(client, once, rounds)
    conn.disconnect()
    client.close()
    return results


def render(results: dict) -> list[str]:
    base = results["PING (the baseline)"]
    lines = ["| sent as | redis-server CPU µs | ÷ PING | client CPU µs | ÷ PING |", "|---|---|---|---|---|"]
    for name, row in results.items():
        lines.append(f"| {name} | {row['redis_us']:.1f} | {row['redis_us'] / base['redis_us']:.1f}× | "
                     f"{row['client_us']:.1f} | {row['client_us'] / base['client_us']:.1f}× |")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=4000)
    args = parser.parse_args()
    results = on_private_redis(lambda url: measure(url, args.rounds))
    if results is not None:
        print("\n".join(render(results)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
