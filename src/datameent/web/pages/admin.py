"""Account administration for the administrator (functioneel beheerder): employees' accounts,
new ones with a temporary password, their name, team and roles, a temporary password for who
forgot theirs, and stopping an account when someone leaves.

The two routes that hash a password (argon2id: a fifth of a second on purpose) run in FastAPI's
threadpool (`slow`); the others like the other pages (`web/routing.py`)."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from datameent.domain.accounts import (
    ADMINISTERED_ROLES,
    CHANGE_LABELS,
    MAX_DISPLAY_NAME,
    MAX_TEAM,
    ROLE_LABELS,
    AccountEdit,
    Role,
    User,
)
from datameent.domain.text import Text
from datameent.errors import Conflict, InvalidInput, Problem
from datameent.services import accounts
from datameent.web.deps import PageUser, StoreDep
from datameent.web.routing import OnTheLoop
from datameent.web.templating import render

slow = APIRouter()
quick = APIRouter(route_class=OnTheLoop)

_ROLES = sorted(ADMINISTERED_ROLES)
_UNKNOWN_ROLE = Text("Kies rollen uit de lijst.", "Choose roles from the list.")
_TAKEN = Text(
    "Deze gebruikersnaam bestaat al. Kies een andere.",
    "This username already exists. Choose another.",
)
_FIELDS = {
    "roles": _ROLES,
    "role_labels": ROLE_LABELS,
    "max_name": MAX_DISPLAY_NAME,
    "max_team": MAX_TEAM,
}
"""What `_account_fields.html` needs besides the form and its problems."""
_NO_STORE = {"Cache-Control": "no-store"}
"""For a page that shows a temporary password: not kept by the browser or a proxy."""
_SAVED = {
    "opgeslagen": Text("De wijzigingen zijn opgeslagen.", "The changes have been saved."),
    "gestopt": Text(
        "Het account is gestopt. Alle sessies zijn beëindigd.",
        "The account has been deactivated. Every session has ended.",
    ),
    "actief": Text("Het account werkt weer.", "The account works again."),
    "ontkoppeld": Text(
        "De koppeling is verbroken en alle sessies zijn beëindigd. Bij de volgende keer inloggen"
        " via de gemeente wordt het account opnieuw gekoppeld, op gebruikersnaam.",
        "The link is undone and every session has ended. At the next login through the"
        " municipality the account is linked again, by username.",
    ),
}


@quick.get("/beheer/accounts")
def account_list(request: Request, user: PageUser, store: StoreDep, zoek: str = "") -> Response:
    search = zoek[:100]
    found = accounts.employee_accounts(store, user, search)
    return render(
        request,
        "accounts.html",
        {"accounts": found, "search": search, "role_labels": ROLE_LABELS},
    )


def _account_page(
    request: Request,
    store: StoreDep,
    user: User,
    account_id: UUID,
    *,
    form: dict[str, Any] | None = None,
    error: InvalidInput | None = None,
) -> Response:
    file = accounts.account_file(store, user, account_id)
    shown = file.user
    context = {
        "file": file,
        "form": form
        or {"display_name": shown.display_name, "team": shown.team or "", "roles": shown.roles},
        "problems": error.problems if error else (),
        "change_labels": CHANGE_LABELS,
        "own": shown.id == user.id,
        "saved": _SAVED.get(request.query_params.get("klaar", "")),
        **_FIELDS,
    }
    return render(request, "account.html", context, status=422 if error else 200)


def _new_page(
    request: Request, form: dict[str, Any], error: InvalidInput | None = None
) -> Response:
    context = {
        "form": form,
        "problems": error.problems if error else (),
        **_FIELDS,
    }
    return render(request, "account_new.html", context, status=422 if error else 200)


@quick.get("/beheer/accounts/nieuw")
def new_account(request: Request, user: PageUser) -> Response:
    accounts.ensure_may_administer(user)
    return _new_page(request, {"username": "", "display_name": "", "team": "", "roles": ()})


Short = Annotated[str, Form(max_length=400)]
Roles = Annotated[list[str] | None, Form()]


def _roles(given: list[str]) -> frozenset[Role]:
    try:
        return frozenset(Role(r) for r in given)
    except ValueError:
        raise InvalidInput(Problem("roles", _UNKNOWN_ROLE)) from None


@slow.post("/beheer/accounts/nieuw")
def make_account(
    request: Request,
    user: PageUser,
    store: StoreDep,
    username: Short = "",
    display_name: Short = "",
    team: Short = "",
    roles: Roles = None,
) -> Response:
    given = roles or []
    form = {"username": username, "display_name": display_name, "team": team, "roles": given}
    try:
        details = AccountEdit(display_name, team, _roles(given))
        made, password = accounts.create_employee_account(
            store, user, username, details, password=request.app.state.sign_on is None
        )
    except InvalidInput as error:
        return _new_page(request, form, error)
    except Conflict:
        return _new_page(request, form, InvalidInput(Problem("username", _TAKEN)))
    context = {"shown": made, "password": password, "new": True}
    return render(request, "account_password.html", context, headers=_NO_STORE)


@quick.get("/beheer/accounts/{account_id}")
def account(request: Request, account_id: UUID, user: PageUser, store: StoreDep) -> Response:
    return _account_page(request, store, user, account_id)


@quick.post("/beheer/accounts/{account_id}")
def edit(
    request: Request,
    account_id: UUID,
    user: PageUser,
    store: StoreDep,
    display_name: Short = "",
    team: Short = "",
    roles: Roles = None,
) -> Response:
    given = roles or []
    form = {"display_name": display_name, "team": team, "roles": frozenset(given)}
    try:
        edit = AccountEdit(display_name, team, _roles(given))
        accounts.edit_account(store, user, account_id, edit)
    except InvalidInput as error:
        return _account_page(request, store, user, account_id, form=form, error=error)
    return RedirectResponse(f"/beheer/accounts/{account_id}?klaar=opgeslagen", 303)


@quick.post("/beheer/accounts/{account_id}/stoppen")
def deactivate(request: Request, account_id: UUID, user: PageUser, store: StoreDep) -> Response:
    try:
        accounts.set_account_active(store, user, account_id, False)
    except InvalidInput as error:
        return _account_page(request, store, user, account_id, error=error)
    return RedirectResponse(f"/beheer/accounts/{account_id}?klaar=gestopt", 303)


@quick.post("/beheer/accounts/{account_id}/activeren")
def reactivate(account_id: UUID, user: PageUser, store: StoreDep) -> Response:
    accounts.set_account_active(store, user, account_id, True)
    return RedirectResponse(f"/beheer/accounts/{account_id}?klaar=actief", 303)


@slow.post("/beheer/accounts/{account_id}/wachtwoord")
def reset_password(request: Request, account_id: UUID, user: PageUser, store: StoreDep) -> Response:
    try:
        shown, password = accounts.reset_password(store, user, account_id)
    except InvalidInput as error:  # it logs in through the municipality
        return _account_page(request, store, user, account_id, error=error)
    context = {"shown": shown, "password": password, "new": False}
    return render(request, "account_password.html", context, headers=_NO_STORE)


@quick.post("/beheer/accounts/{account_id}/koppeling-verbreken")
def unlink(account_id: UUID, user: PageUser, store: StoreDep) -> Response:
    accounts.unlink_sign_on(store, user, account_id)
    return RedirectResponse(f"/beheer/accounts/{account_id}?klaar=ontkoppeld", 303)


# The fixed path /beheer/accounts/nieuw before the routes with an account's id.
router = APIRouter()
router.include_router(slow)
router.include_router(quick)
