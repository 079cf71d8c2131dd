"""Addresses: where a redirect after logging in may go, and whether a request comes to this
machine itself (development and tests, where cookies go without `Secure`)."""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import Request


def safe_next(target: str | None) -> str:
    """Only local paths, so a login link cannot send people to another site."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def return_to(request: Request) -> str:
    """Where someone whose session ended goes after logging in again: the page they asked for;
    after a form they sent, or a part of a page (htmx), the page it was on: the form's own
    address only answers that form."""
    if request.headers.get("hx-request"):
        shown = urlsplit(request.headers.get("hx-current-url", ""))
    elif request.method in ("GET", "HEAD"):
        return _path_and_query(request.url.path, request.url.query)
    else:
        shown = urlsplit(request.headers.get("referer", ""))
    if shown.netloc != request.url.netloc or not shown.path:
        return "/"
    return _path_and_query(shown.path, shown.query)


def _path_and_query(path: str, query: str) -> str:
    return safe_next(f"{path}?{query}" if query else path)


def is_local_host(request: Request) -> bool:
    return request.url.hostname in ("localhost", "127.0.0.1", "::1")
