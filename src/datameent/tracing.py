"""W3C Trace Context: which trace a processing belongs to.

The web middleware sets the trace of each request (honouring an incoming ``traceparent``
header); the CLI and background work get a fresh trace. Every processing-log record carries the
trace id and its own span id, as the Logboek Dataverwerkingen standard asks.
"""

from __future__ import annotations

import re
import secrets
from contextvars import ContextVar
from dataclasses import dataclass

_TRACEPARENT = re.compile(r"^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$")


class MalformedTraceparent(ValueError):
    pass


@dataclass(frozen=True)
class Trace:
    trace_id: str
    parent_span_id: str | None = None

    def traceparent(self, span_id: str) -> str:
        return f"00-{self.trace_id}-{span_id}-01"


def new_trace() -> Trace:
    return Trace(secrets.token_hex(16))


def new_span_id() -> str:
    return secrets.token_hex(8)


def parse_traceparent(header: str) -> Trace:
    """The trace named by a ``traceparent`` header, or `MalformedTraceparent`."""
    match = _TRACEPARENT.match(header.strip())
    if not match:
        raise MalformedTraceparent("malformed traceparent")
    version, trace_id, parent_id, _flags = match.groups()
    if version == "ff" or trace_id == "0" * 32 or parent_id == "0" * 16:
        raise MalformedTraceparent("invalid traceparent")
    return Trace(trace_id, parent_id)


_current: ContextVar[Trace | None] = ContextVar("datameent_trace", default=None)


def current_trace() -> Trace:
    """The trace of the work being done now; a new one when nothing set it."""
    trace = _current.get()
    if trace is None:
        trace = new_trace()
        _current.set(trace)
    return trace


def use_trace(trace: Trace) -> None:
    _current.set(trace)
