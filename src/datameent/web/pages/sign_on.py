"""Logging in elsewhere: employees through the municipality's identity provider (single
sign-on), residents with DigiD (through the municipality's DigiD broker).

Each has a door: `/inloggen/gemeente` and `/inloggen/digid` send the browser to the provider
with a new attempt (its seed in a cookie for that path only); `.../terug` is where the provider
sends it back. There the attempt's state must match, the code is exchanged and the ID token
checked (`services/sign_on.py`), and the account found (`services/accounts.sign_on` by the
provider's identifier and username, `services/accounts.sign_on_resident` by BSN). In FastAPI's
threadpool, not on the event loop: both may wait for the provider. A door that is not set up
is 404."""

from __future__ import annotations

import base64
import binascii
import functools
import hmac
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlsplit, urlunsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from datameent.domain.accounts import User
from datameent.domain.text import Text
from datameent.errors import Conflict, DatameentError, NotFound, SignOnFailed, SignOnRefused
from datameent.services import accounts
from datameent.services.sign_on import Attempt, Digid, Provider, log_code
from datameent.settings import Settings
from datameent.store.uow import Store
from datameent.web.addresses import is_local_host, safe_next
from datameent.web.deps import (
    OptionalPageUser,
    SettingsDep,
    StoreDep,
    start_page_session,
)
from datameent.web.templating import render

router = APIRouter()
backchannel = APIRouter(include_in_schema=False)
"""Routes the provider itself calls, server to server: no browser, so no CSRF token."""
log = logging.getLogger("datameent.sign_on")

ATTEMPT_COOKIE = "dm_sign_on"
ATTEMPT_MINUTES = 10
"""How long someone may take at the provider before the attempt expires."""

_NO_STORE = {"Cache-Control": "no-store"}

Finish = Callable[[Store, str, str, Attempt], User]
"""Exchange the provider's code and find the account (store, code, return address, attempt)."""


@dataclass(frozen=True)
class Door:
    path: str
    finish_route: str
    failed: Text
    """What the login page says when the provider's part went wrong."""
    return_setting: Callable[[Settings], str | None]


def _provider(request: Request) -> Provider:
    provider: Provider | None = request.app.state.sign_on
    if provider is None:
        raise NotFound()
    return provider


def _digid(request: Request) -> Digid:
    digid: Digid | None = request.app.state.digid
    if digid is None:
        raise NotFound()
    return digid


EMPLOYEES = Door(
    "/inloggen/gemeente",
    "finish_sign_on",
    SignOnFailed.title,
    lambda settings: settings.oidc_redirect_url,
)
RESIDENTS = Door(
    "/inloggen/digid",
    "finish_digid",
    Text(
        "Inloggen met DigiD is niet gelukt. Probeer het nog een keer.",
        "Logging in with DigiD did not work. Please try again.",
    ),
    lambda settings: settings.digid_redirect_url,
)


@router.get(EMPLOYEES.path)
def start_sign_on(
    request: Request, settings: SettingsDep, user: OptionalPageUser, next: str = "/"
) -> Response:
    return _start(request, EMPLOYEES, _provider(request).authorization_url, settings, user, next)


@router.get(f"{EMPLOYEES.path}/terug", name=EMPLOYEES.finish_route)
def finish_sign_on(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    code: str = "",
    state: str = "",
    error: str = "",
) -> Response:
    provider = _provider(request)

    def employee(store: Store, code: str, back: str, attempt: Attempt) -> User:
        return accounts.sign_on(store, provider.identity(code, back, attempt))

    return _finish(request, EMPLOYEES, store, settings, employee, code, state, error)


@backchannel.post(f"{EMPLOYEES.path}/uitloggen")
def backchannel_logout(
    request: Request, store: StoreDep, logout_token: Annotated[str, Form()] = ""
) -> Response:
    """OpenID Connect Back-Channel Logout 1.0: the municipality's provider tells us that an
    employee logged out there, or that their account there was ended (someone who left). Every
    session and API token of theirs here ends at once. 400 for a token that does not hold."""
    provider = _provider(request)
    try:
        notice = provider.logout_notice(logout_token)
    except SignOnFailed as error:
        log.info("a back-channel logout was refused: %s", error.reason)
        return JSONResponse({"error": "invalid_request"}, 400, headers=_NO_STORE)
    ended = accounts.end_sessions_at_provider(store, notice)
    log.info("the provider's back-channel logout ended %d sessions", ended)
    return Response(status_code=200, headers=_NO_STORE)


@router.get(RESIDENTS.path)
def start_digid(
    request: Request,
    settings: SettingsDep,
    user: OptionalPageUser,
    next: str = "/",
    namens: bool = False,
) -> Response:
    """`namens`: log in for someone else who authorised you (DigiD Machtigen), where the
    municipality offers it."""
    digid = _digid(request)
    if namens and digid.config.mandate_scopes is None:
        raise NotFound()
    authorize = functools.partial(digid.authorization_url, on_behalf=namens)
    return _start(request, RESIDENTS, authorize, settings, user, next)


@router.get(f"{RESIDENTS.path}/terug", name=RESIDENTS.finish_route)
def finish_digid(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    code: str = "",
    state: str = "",
    error: str = "",
) -> Response:
    digid = _digid(request)

    def resident(store: Store, code: str, back: str, attempt: Attempt) -> User:
        login = digid.login(code, back, attempt)
        return accounts.sign_on_resident(store, login, digid.config.minimum)

    return _finish(request, RESIDENTS, store, settings, resident, code, state, error)


def logout_url(request: Request, user: User | None, settings: Settings) -> str | None:
    """Where to log out at the provider `user` logged in through, if any (the DigiD broker for
    a resident, the municipality's provider for an employee), to come back to the login page:
    on a shared computer, their session there must end too."""
    if user is None or not (user.sso or user.representative):
        return None
    digid: Digid | None = request.app.state.digid
    provider: Provider | None = request.app.state.sign_on
    door, via = (
        (RESIDENTS, digid.provider if digid else None)
        if user.person_id
        else (
            EMPLOYEES,
            provider,
        )
    )
    if via is None:
        return None
    back = urlsplit(_return_url(request, door, settings))._replace(
        path="/inloggen", query="uitgelogd=1", fragment=""
    )
    return via.logout_url(urlunsplit(back))


def _return_url(request: Request, door: Door, settings: Settings) -> str:
    return door.return_setting(settings) or str(request.url_for(door.finish_route))


def _start(
    request: Request,
    door: Door,
    authorize: Callable[[str, Attempt], str],
    settings: Settings,
    user: User | None,
    next: str,
) -> Response:
    if user is not None:  # logged in already (another tab did it)
        return RedirectResponse(safe_next(next), 303)
    seed = secrets.token_urlsafe(32)
    attempt = Attempt.of(settings.secret_key_bytes(), seed)
    try:
        url = authorize(_return_url(request, door, settings), attempt)
    except SignOnFailed as error:
        return _failed(request, door, error, next)
    response = RedirectResponse(url, 303)
    target = base64.urlsafe_b64encode(safe_next(next).encode()).decode()
    response.set_cookie(
        ATTEMPT_COOKIE,
        f"{seed}.{target}",
        max_age=ATTEMPT_MINUTES * 60,
        path=door.path,
        httponly=True,
        samesite="lax",  # sent when the provider sends the browser back (a top-level GET)
        secure=not is_local_host(request),
    )
    return response


def _finish(
    request: Request,
    door: Door,
    store: Store,
    settings: Settings,
    finish: Finish,
    code: str,
    state: str,
    error: str,
) -> Response:
    seed, next = _attempt_cookie(request)
    try:
        if seed is None:
            raise SignOnFailed("no attempt in this browser (expired?)", by_provider=False)
        attempt = Attempt.of(settings.secret_key_bytes(), seed)
        if not hmac.compare_digest(state.encode(), attempt.state.encode()):
            raise SignOnFailed("the answer is for another attempt (state)", by_provider=False)
        if error:
            raise SignOnFailed(f"the provider said {log_code(error)}", by_provider=False)
        user = finish(store, code, _return_url(request, door, settings), attempt)
    except (SignOnFailed, SignOnRefused) as failure:
        return _failed(request, door, failure, next)
    except Conflict:  # two first logins of one person at once: one made the account
        again = SignOnFailed("the account was made by a login at the same time", by_provider=False)
        return _failed(request, door, again, next)
    response = start_page_session(request, store, settings, user, next)
    response.delete_cookie(ATTEMPT_COOKIE, path=door.path)
    return response


def _attempt_cookie(request: Request) -> tuple[str | None, str]:
    seed, _, target = request.cookies.get(ATTEMPT_COOKIE, "").partition(".")
    try:
        next = base64.urlsafe_b64decode(target.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        next = "/"
    return (seed or None), safe_next(next)


def _failed(request: Request, door: Door, error: DatameentError, next: str) -> Response:
    """The login page again, saying what went wrong; the reason, without personal data, in
    the server's log."""
    if isinstance(error, SignOnFailed):
        log.warning("logging in at %s failed: %s", door.path, error.reason)
        message, status = door.failed, 502 if error.by_provider else 400
    else:
        log.info(
            "logging in at %s refused: %s", door.path, error.detail.en if error.detail else "-"
        )
        message, status = error.detail or error.title, 403
    context = {"next": safe_next(next), "error": message, "username": ""}
    response = render(request, "login.html", context, status=status)
    response.delete_cookie(ATTEMPT_COOKIE, path=door.path)
    return response
