"""Logging in through the municipality's identity provider (single sign-on for employees).

`/inloggen/gemeente` sends the browser to the provider with a new attempt (its seed in a
cookie for this path only); `/inloggen/gemeente/terug` is where the provider sends it back.
There the attempt's state must match, the code is exchanged and the ID token checked
(`services/sign_on.py`), and the account found (`services/accounts.sign_on`). In FastAPI's
threadpool, not on the event loop: both may wait for the provider. Both are 404 where single
sign-on is not set up."""

from __future__ import annotations

import base64
import binascii
import hmac
import logging
import secrets
from datetime import timedelta

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from datameent.errors import DatameentError, NotFound, SignOnFailed, SignOnRefused
from datameent.services import accounts
from datameent.services.sign_on import Attempt, Provider, log_code
from datameent.web.deps import SESSION_COOKIE, OptionalPageUser, SettingsDep, StoreDep
from datameent.web.pages.auth import is_local_host, safe_next
from datameent.web.templating import render

router = APIRouter()
log = logging.getLogger("datameent.sign_on")

ATTEMPT_COOKIE = "dm_sign_on"
ATTEMPT_PATH = "/inloggen/gemeente"
ATTEMPT_MINUTES = 10
"""How long someone may take at the provider before the attempt expires."""


def provider_of(request: Request) -> Provider:
    provider: Provider | None = request.app.state.sign_on
    if provider is None:
        raise NotFound()
    return provider


def return_url(request: Request, settings: SettingsDep) -> str:
    return settings.oidc_redirect_url or str(request.url_for("finish_sign_on"))


@router.get(ATTEMPT_PATH)
def start_sign_on(
    request: Request, settings: SettingsDep, user: OptionalPageUser, next: str = "/"
) -> Response:
    provider = provider_of(request)
    if user is not None:  # logged in already (another tab did it)
        return RedirectResponse(safe_next(next), 303)
    seed = secrets.token_urlsafe(32)
    attempt = Attempt.of(settings.secret_key_bytes(), seed)
    try:
        url = provider.authorization_url(return_url(request, settings), attempt)
    except SignOnFailed as error:
        return _failed(request, error, next)
    response = RedirectResponse(url, 303)
    target = base64.urlsafe_b64encode(safe_next(next).encode()).decode()
    response.set_cookie(
        ATTEMPT_COOKIE,
        f"{seed}.{target}",
        max_age=ATTEMPT_MINUTES * 60,
        path=ATTEMPT_PATH,
        httponly=True,
        samesite="lax",  # sent when the provider sends the browser back (a top-level GET)
        secure=not is_local_host(request),
    )
    return response


@router.get(f"{ATTEMPT_PATH}/terug", name="finish_sign_on")
def finish_sign_on(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    code: str = "",
    state: str = "",
    error: str = "",
) -> Response:
    provider = provider_of(request)
    seed, next = _attempt_cookie(request)
    try:
        if seed is None:
            raise SignOnFailed("no attempt in this browser (expired?)", by_provider=False)
        attempt = Attempt.of(settings.secret_key_bytes(), seed)
        if not hmac.compare_digest(state.encode(), attempt.state.encode()):
            raise SignOnFailed("the answer is for another attempt (state)", by_provider=False)
        if error:
            raise SignOnFailed(f"the provider said {log_code(error)}", by_provider=False)
        identity = provider.identity(code, return_url(request, settings), attempt)
        user = accounts.sign_on(store, identity)
    except (SignOnFailed, SignOnRefused) as failure:
        return _failed(request, failure, next)
    token = accounts.open_session(
        store, user, accounts.WEB, timedelta(hours=settings.session_hours)
    )
    response = RedirectResponse(next, 303)
    response.delete_cookie(ATTEMPT_COOKIE, path=ATTEMPT_PATH)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=not is_local_host(request),
        max_age=settings.session_hours * 3600,
    )
    return response


def _attempt_cookie(request: Request) -> tuple[str | None, str]:
    seed, _, target = request.cookies.get(ATTEMPT_COOKIE, "").partition(".")
    try:
        next = base64.urlsafe_b64decode(target.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        next = "/"
    return (seed or None), safe_next(next)


def _failed(request: Request, error: DatameentError, next: str) -> Response:
    """The login page again, saying what went wrong; the reason, without personal data, in
    the server's log."""
    if isinstance(error, SignOnFailed):
        log.warning("single sign-on failed: %s", error.reason)
        message, status = error.title, 502 if error.by_provider else 400
    else:
        log.info("single sign-on refused: %s", error.detail.en if error.detail else "-")
        message, status = error.detail or error.title, 403
    context = {"next": safe_next(next), "error": message, "username": ""}
    response = render(request, "login.html", context, status=status)
    response.delete_cookie(ATTEMPT_COOKIE, path=ATTEMPT_PATH)
    return response
