"""The Redis store's connection, from the `--store` URL: one Redis, as redis-py's `Redis.from_url`
takes it (`redis://host:port/db`, `rediss://…`, `unix:///path/redis.sock?db=N`), or a Redis
Cluster, `redis+cluster://[user:password@]host:port[,host:port…][?option=value…]`
(`rediss+cluster://` with TLS). redis-py has no URL for a cluster: its `RedisCluster` takes one
node's `redis://` URL and discovers the others, so this URL is that one plus, comma-separated,
more nodes to start from should the first be down. A cluster has database 0 only.
"""

from urllib.parse import urlsplit

CLUSTER_SCHEMES = ("redis+cluster://", "rediss+cluster://")
DEFAULT_PORT = 6379
# A cluster client retries a failed command once, after 10-100 ms. redis-py's default (10 retries,
# up to 1 s apart) held a request ~4 s on a shard that is down and ~7 s once the cluster said
# CLUSTERDOWN (measured here) before the 503; the sandbox answers 503 with Retry-After: 1 at once
# instead, as it does when one Redis is down. One retry still rides over a dropped connection or a
# slot that moved (redirects themselves are followed without a retry).
CLUSTER_RETRIES = 1
CLUSTER_BACKOFF_SECONDS = (0.01, 0.1)  # base, cap


def is_cluster(url: str) -> bool:
    return url.lower().startswith(CLUSTER_SCHEMES)


def cluster_nodes(url: str) -> tuple[str, list[tuple[str, int]]]:
    """A cluster URL as redis-py takes it: the first node's `redis://` (or `rediss://`) URL, with the
    credentials and options, and every node named, as (host, port). ValueError says what is wrong."""
    if not is_cluster(url):
        raise ValueError("a Redis Cluster URL starts with redis+cluster:// or rediss+cluster://")
    parts = urlsplit(url)
    credentials, _, hosts = parts.netloc.rpartition("@")
    nodes = []
    for host in hosts.split(","):
        node = urlsplit(f"//{host.strip()}")
        try:
            port = node.port or DEFAULT_PORT
        except ValueError:
            raise ValueError(f"the node {host.strip()!r} has no numeric port") from None
        if not node.hostname:
            raise ValueError("every comma-separated node needs a host (host:port)")
        nodes.append((node.hostname, port))
    if parts.path.strip("/") not in ("", "0"):
        raise ValueError("a Redis Cluster has database 0 only")
    scheme = "rediss" if parts.scheme.lower().startswith("rediss") else "redis"
    auth = f"{credentials}@" if credentials else ""
    host, port = nodes[0]
    host = f"[{host}]" if ":" in host else host  # an IPv6 address
    query = f"?{parts.query}" if parts.query else ""
    return f"{scheme}://{auth}{host}:{port}{query}", nodes


def client(url: str, **options):
    """A redis-py client of the store `url` names: `Redis` (connects on first use), or
    `RedisCluster` (connects now, to learn which node serves which slot)."""
    import redis

    if not is_cluster(url):
        return redis.Redis.from_url(url, **options)
    from redis.backoff import ExponentialWithJitterBackoff
    from redis.cluster import ClusterNode, RedisCluster
    from redis.retry import Retry

    first, nodes = cluster_nodes(url)
    base, cap = CLUSTER_BACKOFF_SECONDS
    options.setdefault("retry", Retry(ExponentialWithJitterBackoff(base=base, cap=cap), CLUSTER_RETRIES))
    return RedisCluster(url=first, startup_nodes=[ClusterNode(host, port) for host, port in nodes[1:]], **options)


def problem(url: str) -> str | None:
    """None when the store `url` names answers as what the URL says it is; else why not, in one
    line (start-up refuses it): unreachable, a cluster not `ok` or with a primary this host cannot
    reach, or a cluster node given as one Redis (its keys would be refused with MOVED)."""
    import redis
    from redis.exceptions import RedisClusterException

    try:
        r = client(url, socket_connect_timeout=2, socket_timeout=2)
    except (redis.RedisError, RedisClusterException, OSError, ValueError) as err:
        return _one_line(err)
    try:
        if is_cluster(url):
            state = r.cluster_info().get("cluster_state")
            if state != "ok":
                return f"the cluster is not ready (cluster_state:{state})"
            r.ping(target_nodes=r.PRIMARIES)  # every primary, at the address the cluster gives it
            return None
        r.ping()
        try:
            if int(r.info("cluster").get("cluster_enabled", 0)):
                return "it is a node of a Redis Cluster: use --store redis+cluster://host:port"
        except redis.ResponseError:  # INFO not allowed to this user: nothing to learn from it
            pass
        return None
    except (redis.RedisError, RedisClusterException, OSError, ValueError) as err:
        return _one_line(err)
    finally:
        r.close()


def _one_line(err: Exception) -> str:
    return " ".join(str(err).split()) or type(err).__name__
