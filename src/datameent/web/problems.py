"""One place that turns errors into answers: problem+json for the API, a page for people.

No answer ever carries a stack trace or an input value; the server log gets the error's class
and where it happened, never its message (which might hold personal data).
"""

from __future__ import annotations

import logging
import traceback
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from datameent.domain.text import Text
from datameent.errors import (
    AccessDenied,
    Conflict,
    DataErased,
    DatameentError,
    InvalidInput,
    KeysNotHeld,
    LoginFailed,
    NotAuthenticated,
    NotFound,
    PasswordChangeRequired,
    TooManyAttempts,
)
from datameent.web import csrf
from datameent.web.addresses import return_to
from datameent.web.deps import PASSWORD_PAGE
from datameent.web.i18n import accept_language_locale

log = logging.getLogger("datameent.web")

_STATUS: dict[type[DatameentError], int] = {
    InvalidInput: 422,
    NotFound: 404,
    AccessDenied: 403,
    NotAuthenticated: 401,
    LoginFailed: 401,
    TooManyAttempts: 429,
    PasswordChangeRequired: 403,
    Conflict: 409,
    DataErased: 410,
    csrf.CsrfFailed: 403,
}
_HTTP_TITLES = {
    404: NotFound.title,
    405: Text("Deze handeling kan hier niet", "This method is not allowed here"),
}
_MALFORMED = Text("Het verzoek is niet goed opgebouwd", "The request is malformed")
_FIELD_MESSAGES = {
    "missing": Text("Dit veld ontbreekt.", "This field is missing."),
    "json_invalid": Text("Dit is geen geldige JSON.", "This is not valid JSON."),
    "extra_forbidden": Text("Dit veld kennen we niet.", "This field is unknown."),
}
_FIELD_DEFAULT = Text("Deze waarde klopt niet.", "This value is not valid.")
INTERNAL = Text(
    "Er ging iets mis aan onze kant. Probeer het later opnieuw.",
    "Something went wrong on our side. Please try again later.",
)


def status_of(error: DatameentError) -> int:
    if isinstance(error, AccessDenied) and error.hide_existence:
        return 404
    for kind in type(error).__mro__:
        if kind in _STATUS:
            return _STATUS[kind]
    return 500


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def problem(
    request: Request,
    status: int,
    title: Text,
    *,
    detail: Text | None = None,
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """An RFC 9457 problem: `title` in the client's language, both languages alongside."""
    locale = accept_language_locale(request.headers.get("accept-language"))
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title.in_(locale),
        "status": status,
        "titleNl": title.nl,
        "titleEn": title.en,
    }
    if detail is not None and detail != title:
        body["detail"] = detail.in_(locale)
    if errors:
        body["errors"] = errors
    return JSONResponse(body, status, headers=headers, media_type="application/problem+json")


def _headers(error: DatameentError) -> dict[str, str]:
    if isinstance(error, TooManyAttempts):
        return {"retry-after": str(error.retry_after_seconds)}
    if isinstance(error, NotAuthenticated | LoginFailed):
        return {"www-authenticate": "Bearer"}
    return {}


def _field_errors(error: InvalidInput) -> list[dict[str, str]]:
    return [
        {"field": p.field, "message": p.message.nl, "messageEn": p.message.en}
        for p in error.problems
    ]


async def on_datameent_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, DatameentError)
    if isinstance(error, KeysNotHeld):  # the server's settings, not the user's doing
        log.error("%s: %s", error.title.en, error.detail.en if error.detail else "")
        if is_api(request):
            return problem(request, 503, INTERNAL)
        return _page(request, 503, INTERNAL, None, {})
    status = status_of(error)
    title = NotFound.title if status == 404 else type(error).title
    if is_api(request):
        errors = _field_errors(error) if isinstance(error, InvalidInput) else None
        return problem(
            request, status, title, detail=error.detail, errors=errors, headers=_headers(error)
        )
    if isinstance(error, NotAuthenticated):
        ended = "&verlopen=1" if getattr(request.state, "session_ended", False) else ""
        login = f"/inloggen?next={quote(return_to(request))}{ended}"
        if request.headers.get("hx-request"):  # the whole page goes, not a part of it
            return Response(status_code=204, headers={"HX-Redirect": login})
        return RedirectResponse(login, 303)
    if isinstance(error, PasswordChangeRequired):
        return RedirectResponse(PASSWORD_PAGE, 303)
    return _page(request, status, title, error.detail, _headers(error))


async def on_validation_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    errors = []
    for item in error.errors():
        parts = item.get("loc", ())
        location = ".".join(str(part) for part in parts if part != "body")
        if item.get("type") == "json_invalid":
            location = "body"
        message = _FIELD_MESSAGES.get(item.get("type", ""), _FIELD_DEFAULT)
        errors.append({"field": location, "message": message.nl, "messageEn": message.en})
    malformed = any(item.get("type") == "json_invalid" for item in error.errors())
    status, title = (400, _MALFORMED) if malformed else (422, InvalidInput.title)
    if is_api(request):
        return problem(request, status, title, errors=errors)
    return _page(request, status, title, None, {})


async def on_http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, StarletteHTTPException)
    title = _HTTP_TITLES.get(error.status_code, DatameentError.title)
    if is_api(request):
        return problem(request, error.status_code, title)
    return _page(request, error.status_code, title, None, dict(error.headers or {}))


async def on_unexpected(request: Request, error: Exception) -> Response:
    # The class and the frames, never the message: it could carry personal data. The route's
    # template, not the path: a path names the person whose file it is.
    frames = "".join(traceback.format_tb(error.__traceback__))
    route = getattr(request.scope.get("route"), "path", "(no route)")
    log.error("unexpected %s on %s %s\n%s", type(error).__name__, request.method, route, frames)
    if is_api(request):
        return problem(request, 500, INTERNAL)
    return _page(request, 500, INTERNAL, None, {})


def _page(
    request: Request, status: int, title: Text, detail: Text | None, headers: dict[str, str]
) -> Response:
    from datameent.web.templating import render

    return render(
        request, "error.html", {"title": title, "detail": detail}, status=status, headers=headers
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(DatameentError, on_datameent_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_exception_handler(Exception, on_unexpected)
