"""Logging in and out, changing one's password, and switching language.

In FastAPI's threadpool, not on the event loop (`web/routing.py`): the password check takes a
fifth of a second on purpose."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from datameent.errors import InvalidInput, LoginFailed, TooManyAttempts
from datameent.services import accounts
from datameent.web.addresses import safe_next
from datameent.web.api.auth import client_address
from datameent.web.deps import (
    PASSWORD_PAGE,
    SESSION_COOKIE,
    OptionalPageUser,
    PageUser,
    SettingsDep,
    StoreDep,
    start_page_session,
)
from datameent.web.i18n import LOCALES
from datameent.web.pages.sign_on import logout_url
from datameent.web.templating import LANG_COOKIE, render

router = APIRouter()


@router.get("/inloggen")
def login_page(request: Request, user: OptionalPageUser, next: str = "/") -> Response:
    if user is not None:
        return RedirectResponse(safe_next(next), 303)
    return render(request, "login.html", {"next": safe_next(next), "error": None, "username": ""})


@router.post("/inloggen")
def login(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    username: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    next: Annotated[str, Form(max_length=500)] = "/",
) -> Response:
    limits = _limits(settings)
    try:
        user = accounts.authenticate(store, username, password, client_address(request), limits)
    except (LoginFailed, TooManyAttempts) as error:
        status = 429 if isinstance(error, TooManyAttempts) else 401
        context = {"next": safe_next(next), "error": type(error).title, "username": username}
        return render(request, "login.html", context, status=status)
    return start_page_session(request, store, settings, user, safe_next(next))


Secret = Annotated[str, Form(max_length=1000)]


def _limits(settings: SettingsDep) -> accounts.LoginLimits:
    return accounts.LoginLimits(
        settings.login_max_failures, timedelta(minutes=settings.login_window_minutes)
    )


def _password_page(
    request: Request,
    store: StoreDep,
    user: PageUser,
    problems: tuple[object, ...] = (),
) -> Response:
    context = {
        "problems": problems,
        "changed": request.query_params.get("gewijzigd") == "1",
        "ended": ended if (ended := request.query_params.get("uitgelogd", "")).isdigit() else None,
        "elsewhere": accounts.other_sessions(store, user, request.cookies.get(SESSION_COOKIE)),
    }
    return render(request, "password.html", context, status=422 if problems else 200)


@router.get(PASSWORD_PAGE)
def password_page(request: Request, user: PageUser, store: StoreDep) -> Response:
    return _password_page(request, store, user)


@router.post(f"{PASSWORD_PAGE}/elders-uitloggen")
def log_out_elsewhere(request: Request, user: PageUser, store: StoreDep) -> Response:
    ended = accounts.end_other_sessions(store, user, request.cookies.get(SESSION_COOKIE))
    return RedirectResponse(f"{PASSWORD_PAGE}?uitgelogd={ended}#elders", 303)


@router.post(PASSWORD_PAGE)
def change_password(
    request: Request,
    user: PageUser,
    store: StoreDep,
    settings: SettingsDep,
    current_password: Secret = "",
    new_password: Secret = "",
    repeated: Secret = "",
) -> Response:
    try:
        accounts.change_password(
            store,
            user,
            current_password,
            new_password,
            repeated,
            client_address(request),
            _limits(settings),
            request.cookies.get(SESSION_COOKIE),
        )
    except InvalidInput as error:
        return _password_page(request, store, user, error.problems)
    return RedirectResponse(f"{PASSWORD_PAGE}?gewijzigd=1", 303)


@router.get("/sessie")
def session_left(request: Request, user: OptionalPageUser) -> Response:
    """How many seconds the browser session has left without another request; this request
    counts as one (the page's script asks when someone types or clicks "Stay logged in")."""
    seconds = getattr(request.state, "session_seconds", None)
    if user is None or seconds is None:
        return JSONResponse({"seconds": 0}, 401)
    return JSONResponse({"seconds": seconds})


@router.post("/uitloggen")
def logout(
    request: Request, store: StoreDep, settings: SettingsDep, user: OptionalPageUser
) -> Response:
    """The session ends here; someone who logged in through the municipality's provider or
    with DigiD goes on to log out there too, and comes back to the login page."""
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        accounts.close_session(store, token)
    target = logout_url(request, user, settings) or "/inloggen?uitgelogd=1"
    response = RedirectResponse(target, 303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/taal/{lang}")
def switch_language(lang: str, next: str = "/") -> Response:
    response = RedirectResponse(safe_next(next), 303)
    if lang in LOCALES:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 24 * 3600, samesite="lax")
    return response
