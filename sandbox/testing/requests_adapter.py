"""`requests` glue of the in-process mock: a transport adapter that answers from the sandbox app.

requests' own seam for "send this prepared request somewhere else" is the transport adapter
(`Session.mount(prefix, adapter)`, `BaseAdapter.send`); `InProcessAdapter` is one, answering from
`InProcessApp` instead of a connection pool. The response is built as `HTTPAdapter.build_response`
builds one (status, headers, encoding, a urllib3 `raw`, URL, cookies, the request), with the body
already read. A dropped answer (`response_lost`) gets a `raw` whose body ends before its
Content-Length, as the server's closed connection leaves it, so requests raises what it raises
over HTTP (`ChunkedEncodingError`, "Connection broken: IncompleteRead"). A blocked host is a
`requests.ConnectionError` saying why.
"""

import io
from urllib.parse import urlsplit

from requests.adapters import BaseAdapter
from requests.cookies import extract_cookies_to_jar
from requests.exceptions import ConnectionError
from requests.models import Response
from requests.structures import CaseInsensitiveDict
from requests.utils import get_encoding_from_headers
from urllib3 import HTTPResponse
from urllib3._collections import HTTPHeaderDict


def body_bytes(body) -> bytes:
    """A prepared request's body as bytes: requests leaves str, bytes, a file or an iterator."""
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8")
    if hasattr(body, "read"):
        data = body.read()
        return data.encode("utf-8") if isinstance(data, str) else data
    return b"".join(part.encode("utf-8") if isinstance(part, str) else part for part in body)


class _OriginalResponse:
    """What `extract_cookies_to_jar` reads from urllib3's `_original_response` (http.client's
    message), for answers that set cookies (the console's pages)."""

    def __init__(self, headers):
        self.msg = _Message(headers)


class _Message:
    def __init__(self, headers):
        self._headers = headers

    def get_all(self, name, failobj=None):
        values = [v for k, v in self._headers if k.lower() == name.lower()]
        return values or failobj


class InProcessAdapter(BaseAdapter):
    """A requests transport adapter that sends to the sandbox app in this process."""

    def __init__(self, app_call):
        super().__init__()
        self.app_call = app_call  # InProcessApp.call

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        scheme, netloc, path, query, _ = urlsplit(request.url)
        status, reason, headers, content = self.app_call(
            request.method, scheme, netloc, path or "/", query, request.headers.items(), body_bytes(request.body))
        return self.build_response(request, status, reason, headers, content)

    def build_response(self, request, status, reason, headers, content) -> Response:
        header_dict = HTTPHeaderDict()
        for name, value in headers:
            header_dict.add(name, value)
        raw = HTTPResponse(body=io.BytesIO(content or b""), headers=header_dict, status=status, reason=reason,
                           preload_content=False, decode_content=False, enforce_content_length=True)
        response = Response()
        response.status_code = status
        response.headers = CaseInsensitiveDict(header_dict)
        response.encoding = get_encoding_from_headers(response.headers)
        response.raw = raw
        response.reason = reason
        response.url = request.url
        response.request = request
        response.connection = self
        if content is not None:  # else reading the body breaks off, as on the dropped connection
            response._content = content
            response._content_consumed = True
        if "set-cookie" in response.headers:
            raw._original_response = _OriginalResponse(headers)
            extract_cookies_to_jar(response.cookies, request, raw)
        return response

    def close(self) -> None:
        """Nothing to close: no connections."""


class BlockedAdapter(BaseAdapter):
    """Refuses a request to a host the mock blocks, as an unreachable host would fail."""

    def __init__(self, why: str):
        super().__init__()
        self.why = why

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        raise ConnectionError(f"{self.why}: {request.method} {request.url}", request=request)

    def close(self) -> None:
        pass
