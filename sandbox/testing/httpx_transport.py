"""`httpx` glue of the in-process mock: transports that answer from the sandbox app.

httpx's own seam is its transport API (`httpx.BaseTransport.handle_request`,
`httpx.AsyncBaseTransport.handle_async_request`: what `Client(transport=...)` and `mounts=` take).
`InProcessTransport` runs the app in the caller's thread; `AsyncInProcessTransport` runs it on a
worker thread of the event loop (anyio's, which httpx itself is built on: asyncio or trio), so a
`latency` fault's sleep or a webhook receiver never blocks the loop. httpx's own
`WSGITransport` is not used: it keeps only the last of a repeated header (a server joins them) and
lets a dropped answer escape as the app's exception. Here a dropped answer (`response_lost`) is
the head with a body that breaks off, as the server's closed connection leaves it: reading it
raises the `httpx.RemoteProtocolError` httpx raises over HTTP.
"""

import anyio.to_thread
import httpx

# What httpx (httpcore's h11) raises when the connection closes before the body it was promised.
LOST = "peer closed connection without sending complete message body (received 0 bytes, expected {length})"


def _parts(request: httpx.Request):
    url = request.url
    path, _, query = url.raw_path.decode("ascii").partition("?")
    return request.method, url.scheme, url.netloc.decode("ascii"), path or "/", query, request.headers.raw


def _response(request: httpx.Request, answer) -> httpx.Response:
    status, reason, headers, content = answer
    extensions = {"http_version": b"HTTP/1.1", "reason_phrase": reason.encode("latin-1")}
    if content is None:
        length = {name.lower(): value for name, value in headers}.get("content-length", "0")
        return httpx.Response(status, headers=headers, stream=BrokenBody(request, LOST.format(length=length)),
                              extensions=extensions)
    return httpx.Response(status, headers=headers, content=content, extensions=extensions)


class BrokenBody(httpx.SyncByteStream, httpx.AsyncByteStream):
    """The body of a dropped answer: reading it fails as a closed connection does."""

    def __init__(self, request: httpx.Request, message: str):
        self.request, self.message = request, message

    def __iter__(self):
        raise httpx.RemoteProtocolError(self.message, request=self.request)
        yield b""  # pragma: no cover - makes this a generator

    async def __aiter__(self):
        raise httpx.RemoteProtocolError(self.message, request=self.request)
        yield b""  # pragma: no cover - makes this an async generator


class InProcessTransport(httpx.BaseTransport):
    """An httpx transport that sends to the sandbox app in this process."""

    def __init__(self, app_call):
        self.app_call = app_call  # InProcessApp.call

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        return _response(request, self.app_call(*_parts(request), body))


class AsyncInProcessTransport(httpx.AsyncBaseTransport):
    """The same for `httpx.AsyncClient`: the app runs on one of the event loop's worker threads."""

    def __init__(self, app_call):
        self.app_call = app_call

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        return _response(request, await anyio.to_thread.run_sync(self.app_call, *_parts(request), body))


class BlockedTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Refuses a request to a host the mock blocks, as an unreachable host would fail."""

    def __init__(self, why: str):
        self.why = why

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"{self.why}: {request.method} {request.url}", request=request)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.handle_request(request)
