"""Addresses: where a redirect after logging in may go, and whether a request comes to this
machine itself (development and tests, where cookies go without `Secure`)."""

from __future__ import annotations

from fastapi import Request


def safe_next(target: str | None) -> str:
    """Only local paths, so a login link cannot send people to another site."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def is_local_host(request: Request) -> bool:
    return request.url.hostname in ("localhost", "127.0.0.1", "::1")
