"""ASGI middleware: security headers, the CSRF cookie, a limit on request bodies, and no NUL
characters in what a request sends.

Written as plain ASGI (not `BaseHTTPMiddleware`) so it adds almost nothing to each request.
"""

from __future__ import annotations

import re
from http.cookies import SimpleCookie

from starlette.datastructures import MutableHeaders
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from datameent.domain.text import Text
from datameent.tracing import (
    MalformedTraceparent,
    Trace,
    new_trace,
    parse_traceparent,
    use_trace,
)
from datameent.web import csrf

MAX_BODY_BYTES = 1024 * 1024

_SECURITY_HEADERS = {
    "content-security-policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    ),
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
    "cache-control": "no-store",
}


TOO_LARGE = Text("Het verzoek is te groot.", "The request is too large.")
HAS_NUL = Text(
    "Het verzoek bevat een teken dat niet is toegestaan (het nul-teken).",
    "The request contains a character that is not allowed (the NUL character).",
)


class WebMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        trace = _trace(scope)
        if trace is None:
            await _bad_traceparent(scope)(scope, receive, send)
            return
        use_trace(trace)
        new_cookie = self._csrf_cookie(scope)
        is_static = scope["path"].startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in _SECURITY_HEADERS.items():
                    if name == "cache-control" and is_static:
                        value = "public, max-age=3600"
                    headers.setdefault(name, value)
                if new_cookie:
                    headers.append(
                        "set-cookie", f"{csrf.COOKIE}={new_cookie}; HttpOnly; SameSite=Lax; Path=/"
                    )
            await send(message)

        if "\x00" in scope["path"] or b"%00" in scope["query_string"]:
            await _has_nul(scope)(scope, receive, send_with_headers)
            return
        length = _content_length(scope)
        if length is not None and length > MAX_BODY_BYTES:
            await _too_large(scope)(scope, receive, send_with_headers)
            return
        nul = _nul_in(scope)
        if scope["method"] in ("POST", "PUT", "PATCH") and (length is None or nul):
            # No declared length (chunked): read up to the limit before the app sees anything.
            # A form or JSON: look for NUL characters in it first.
            buffered = await _buffer(receive)
            if buffered is None:
                await _too_large(scope)(scope, receive, send_with_headers)
                return
            if nul and nul.search(buffered):
                await _has_nul(scope)(scope, receive, send_with_headers)
                return
            receive = _replay(buffered)
        await self.app(scope, receive, send_with_headers)

    @staticmethod
    def _csrf_cookie(scope: Scope) -> str | None:
        """Make sure every page visitor has a CSRF cookie; return it when it is new."""
        if scope["path"].startswith(("/api/", "/static/")):
            return None
        cookies = SimpleCookie()
        for name, value in scope.get("headers", []):
            if name == b"cookie":
                cookies.load(value.decode("latin-1"))
        state = scope.setdefault("state", {})
        if csrf.COOKIE in cookies:
            state["csrf_cookie"] = cookies[csrf.COOKIE].value
            return None
        state["csrf_cookie"] = csrf.new_cookie_value()
        return str(state["csrf_cookie"])


BAD_TRACEPARENT = Text(
    "De traceparent-header is niet geldig.", "The traceparent header is not valid."
)


def _trace(scope: Scope) -> Trace | None:
    """The request's trace: from a valid ``traceparent`` header, or new. None if malformed."""
    for name, value in scope.get("headers", []):
        if name == b"traceparent":
            try:
                return parse_traceparent(value.decode("latin-1"))
            except MalformedTraceparent:
                return None
    return new_trace()


def _bad_traceparent(scope: Scope) -> ASGIApp:
    return _problem(scope, 400, BAD_TRACEPARENT)


# A NUL character as each kind of body writes it: percent-encoded in a form (a literal "%"
# is "%25"), as the escape \u0000 in JSON (unless its backslash is itself escaped), or raw.
# PostgreSQL cannot store it in text, and no field of ours has a use for it. Multipart bodies
# carry files, where NUL bytes belong; their text goes to encrypted columns and their file
# names lose control characters (`domain.decisions.safe_filename`).
_NUL = {
    b"application/x-www-form-urlencoded": re.compile(rb"%00|\x00"),
    b"application/json": re.compile(rb"(?<!\\)(?:\\\\)*\\u0000|\x00"),
}


def _nul_in(scope: Scope) -> re.Pattern[bytes] | None:
    """How a NUL character would look in this request's body, if it is a form or JSON."""
    for name, value in scope.get("headers", []):
        if name == b"content-type":
            kind = value.split(b";", 1)[0].strip().lower()
            return _NUL.get(b"application/json" if kind.endswith(b"+json") else kind)
    return None


def _has_nul(scope: Scope) -> ASGIApp:
    return _problem(scope, 400, HAS_NUL)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return MAX_BODY_BYTES + 1
    return None


async def _buffer(receive: Receive) -> bytes | None:
    chunks, size, more = [], 0, True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return None
        chunks.append(chunk)
        more = message.get("more_body", False)
    return b"".join(chunks)


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


def _too_large(scope: Scope) -> ASGIApp:
    return _problem(scope, 413, TOO_LARGE)


def _problem(scope: Scope, status: int, title: Text) -> ASGIApp:
    """An answer given before the app sees the request (so without its error pages)."""
    if scope["path"].startswith("/api/"):
        body = {
            "type": "about:blank",
            "title": title.nl,
            "status": status,
            "titleNl": title.nl,
            "titleEn": title.en,
        }
        return JSONResponse(body, status, media_type="application/problem+json")
    return PlainTextResponse(f"{title.nl}\n{title.en}\n", status)
