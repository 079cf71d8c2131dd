"""Rendering pages: Jinja2 with the request's language, formats, user and CSRF token."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined, Template, select_autoescape
from starlette.types import Receive, Scope, Send

from datameent.domain import catalogue
from datameent.domain.accounts import ROLE_LABELS
from datameent.domain.text import Text
from datameent.web import csrf
from datameent.web.i18n import Formats, make_gettext, pick_locale
from datameent.web.present import input_hints

LANG_COOKIE = "dm_lang"
STATIC = Path(__file__).parent / "static"


def make_environment() -> Environment:
    env = Environment(
        loader=PackageLoader("datameent.web", "templates"),
        autoescape=select_autoescape(default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        # The templates ship with the package and do not change while serving: no look at
        # each one's file at every render (restart to see an edited template).
        auto_reload=False,
    )
    env.globals["role_labels"] = ROLE_LABELS
    env.globals["catalogue_by_key"] = catalogue.BY_KEY
    env.globals["input_hints"] = input_hints
    return env


def locale_of(request: Request) -> str:
    return pick_locale(request.cookies.get(LANG_COOKIE))


def render(
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    state = request.app.state
    locale = locale_of(request)
    csrf_cookie = request.scope.get("state", {}).get("csrf_cookie", "")
    full = {
        "request": request,
        "locale": locale,
        "_": make_gettext(state.translations[locale]),
        "t": lambda text: text.in_(locale) if isinstance(text, Text) else text,
        "fmt": Formats(locale),
        "csrf_token": csrf.token_for(state.settings.secret_key_bytes(), csrf_cookie),
        "user": getattr(request.state, "user", None),
        "session_seconds": getattr(request.state, "session_seconds", None),
        "path": request.url.path,
        "htmx": (STATIC / "vendor" / "htmx.min.js").exists(),
        **context,
    }
    if full["session_seconds"]:  # for the page's script (session.js), also after htmx requests
        headers = {**(headers or {}), "x-session-seconds": str(full["session_seconds"])}
    return RenderedLater(state.jinja.get_template(template), full, status, headers)


class RenderedLater(HTMLResponse):
    """An HTML page rendered when it is sent, not when its handler returns it.

    A page handler on SQLite runs in a group of calls that share one transaction
    (`web/routing.py`), and with several server processes that transaction holds the database's
    write lock: the template (a third of a client file's time) is no reason to hold it. Sent,
    the page is rendered, and its length put in its header."""

    def __init__(
        self,
        template: Template,
        context: dict[str, Any],
        status: int,
        headers: dict[str, str] | None,
    ) -> None:
        self._template, self._context = template, context
        super().__init__(b"", status_code=status, headers=headers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.body = self.render(self._template.render(self._context))
        length = str(len(self.body)).encode("latin-1")
        self.raw_headers = [
            (name, length if name == b"content-length" else value)
            for name, value in self.raw_headers
        ]
        await super().__call__(scope, receive, send)
