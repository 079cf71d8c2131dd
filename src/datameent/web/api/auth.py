"""API tokens through the OAuth2 password flow."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import OAuth2PasswordRequestForm

from datameent.services import accounts
from datameent.web.api.schemas import Token
from datameent.web.deps import SettingsDep, StoreDep, run

router = APIRouter(tags=["auth"])


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.post("/auth/token", response_model=Token)
async def issue_token(
    request: Request,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    store: StoreDep,
    settings: SettingsDep,
) -> Token:
    limits = accounts.LoginLimits(
        settings.login_max_failures, timedelta(minutes=settings.login_window_minutes)
    )
    # Always in the threadpool: the password check is slow on purpose (argon2id).
    user = await run_in_threadpool(
        accounts.authenticate,
        store,
        form.username,
        form.password,
        client_address(request),
        limits,
    )
    lifetime = timedelta(minutes=settings.token_minutes)
    token = await run(store, accounts.open_session, store, user, accounts.API, lifetime)
    return Token(access_token=token, expires_in=int(lifetime.total_seconds()))
