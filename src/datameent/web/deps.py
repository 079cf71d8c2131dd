"""FastAPI dependencies, as `Annotated` aliases: the store, settings and the current user."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer

from datameent.domain.accounts import User
from datameent.errors import NotAuthenticated
from datameent.services import accounts
from datameent.settings import Settings
from datameent.store.uow import Store

SESSION_COOKIE = "dm_session"


def get_store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


StoreDep = Annotated[Store, Depends(get_store)]
SettingsDep = Annotated[Settings, Depends(get_settings)]

_bearer = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


def api_user(store: StoreDep, token: Annotated[str | None, Depends(_bearer)]) -> User:
    """The API caller, from a bearer token. The API never accepts the session cookie, so it
    needs no CSRF protection."""
    user = accounts.user_for_token(store, token, accounts.API) if token else None
    if user is None:
        raise NotAuthenticated()
    return user


def optional_page_user(request: Request, store: StoreDep) -> User | None:
    token = request.cookies.get(SESSION_COOKIE)
    user = accounts.user_for_token(store, token, accounts.WEB) if token else None
    request.state.user = user
    return user


def page_user(user: Annotated[User | None, Depends(optional_page_user)]) -> User:
    if user is None:
        raise NotAuthenticated()
    return user


ApiUser = Annotated[User, Depends(api_user)]
PageUser = Annotated[User, Depends(page_user)]
OptionalPageUser = Annotated[User | None, Depends(optional_page_user)]
