"""Pages of the data dialogue: the facilitator's session and big screen, the participant's
phone (no account: a cookie), and the self-guided database game for residents at home."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

import segno
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from datameent.analytics.game import game, try_pseudonyms
from datameent.domain.accounts import User
from datameent.domain.dialogue import (
    COARSE_SCALE,
    FRAUD_CASES,
    GAME_STEPS,
    MAX_NOTE,
    MAX_STATEMENT,
    QUESTIONS,
    SCALE,
    STEP_NUMBERS,
    STEP_TITLES,
    AnsweringClosed,
    NotJoined,
    Phase,
    SessionOver,
    Step,
    WrongCode,
)
from datameent.domain.statistics import category_label
from datameent.domain.text import Text
from datameent.errors import InvalidInput, NotFound, Problem
from datameent.services import dialogue
from datameent.web.addresses import is_local_host
from datameent.web.deps import OptionalPageUser, PageUser, StoreDep
from datameent.web.problems import status_of
from datameent.web.templating import locale_of, render

router = APIRouter()

COOKIE = "dm_dialoog"
COOKIE_HOURS = 12
_FIELD = 4000


async def _form(request: Request) -> dict[str, str]:
    return {k: str(v)[:_FIELD] for k, v in (await request.form()).items()}


def _game_context(request: Request) -> dict[str, Any]:
    """What the game's templates need: the tables, the questions and how to label things."""
    locale = locale_of(request)
    played = game()
    return {
        "game": played,
        "steps": GAME_STEPS,
        "questions": QUESTIONS,
        "step_titles": STEP_TITLES,
        "step_numbers": STEP_NUMBERS,
        "correct": {s: dialogue.correct(s, played) for s in GAME_STEPS},
        "explain": {s: dialogue.explain(s, played) for s in GAME_STEPS},
        "fraud_cases": FRAUD_CASES,
        "household": lambda code: category_label("household_type", code, locale),
        "Step": Step,
        "Phase": Phase,
        "scale": SCALE,
        "coarse_scale": COARSE_SCALE,
    }


# The facilitator ---------------------------------------------------------------------------


@router.get("/datadialoog")
def sessions_page(request: Request, user: PageUser, store: StoreDep) -> Response:
    found = dialogue.sessions(store, user)
    removed = request.query_params.get("verwijderd") == "1"
    context = {"sessions": found, "problems": (), "removed": removed}
    return render(request, "dialogue_sessions.html", context)


@router.post("/datadialoog")
async def start_session(request: Request, user: PageUser, store: StoreDep) -> Response:
    form = await _form(request)
    try:
        session_id = dialogue.start(store, user, form.get("title", ""))
    except InvalidInput as error:
        found = dialogue.sessions(store, user)
        context = {"sessions": found, "problems": error.problems, "removed": False}
        return render(request, "dialogue_sessions.html", context, status=422)
    return RedirectResponse(f"/datadialoog/{session_id}", 303)


def _join_url(request: Request, code: str) -> str:
    return str(request.url_for("join_page").include_query_params(code=code))


def _board_context(request: Request, board: dialogue.Board, *, qr: bool = True) -> dict[str, Any]:
    """The session's context; the join link and its QR code (not needed by the live part)."""
    context = {**_game_context(request), "board": board}
    if qr:
        url = _join_url(request, board.session.code)
        context["join_url"] = url
        context["qr"] = segno.make(url, error="m").svg_inline(
            scale=6, dark="#000", light="#fff", omitsize=True
        )
    return context


def _control(
    request: Request,
    store: StoreDep,
    user: User,
    session_id: UUID,
    error: InvalidInput | None = None,
) -> Response:
    """The facilitator's control page, with what went wrong if something did (422)."""
    board = dialogue.board(store, user, session_id)
    context = {
        **_board_context(request, board),
        "problems": error.problems if error else (),
        "max_statement": MAX_STATEMENT,
        "max_note": MAX_NOTE,
    }
    return render(request, "dialogue_control.html", context, status=422 if error else 200)


@router.get("/datadialoog/{session_id}")
def control_page(request: Request, session_id: UUID, user: PageUser, store: StoreDep) -> Response:
    return _control(request, store, user, session_id)


def _back(session_id: UUID, form: dict[str, str]) -> str:
    return (
        f"/datadialoog/{session_id}/scherm"
        if form.get("from") == "screen"
        else (f"/datadialoog/{session_id}")
    )


@router.post("/datadialoog/{session_id}/verder")
async def go_on(request: Request, session_id: UUID, user: PageUser, store: StoreDep) -> Response:
    form = await _form(request)
    try:
        dialogue.move(store, user, session_id, +1)
    except InvalidInput as error:
        return _control(request, store, user, session_id, error)
    return RedirectResponse(_back(session_id, form), 303)


@router.post("/datadialoog/{session_id}/terug")
async def go_back(request: Request, session_id: UUID, user: PageUser, store: StoreDep) -> Response:
    form = await _form(request)
    dialogue.move(store, user, session_id, -1)
    return RedirectResponse(_back(session_id, form), 303)


@router.post("/datadialoog/{session_id}/sluiten")
def close_session(session_id: UUID, user: PageUser, store: StoreDep) -> Response:
    dialogue.close(store, user, session_id)
    return RedirectResponse(f"/datadialoog/{session_id}", 303)


@router.post("/datadialoog/{session_id}/verwijderen")
async def remove_session(
    request: Request, session_id: UUID, user: PageUser, store: StoreDep
) -> Response:
    form = await _form(request)
    if form.get("kept") != "yes":
        error = InvalidInput(
            Problem(
                "kept",
                Text(
                    "Vink eerst aan dat u de uitkomsten en aantekeningen hebt bewaard.",
                    "First tick that you have kept the results and notes.",
                ),
            )
        )
        return _control(request, store, user, session_id, error)
    dialogue.remove(store, user, session_id)
    return RedirectResponse("/datadialoog?verwijderd=1", 303)


@router.post("/datadialoog/{session_id}/stellingen")
async def add_statement(
    request: Request, session_id: UUID, user: PageUser, store: StoreDep
) -> Response:
    form = await _form(request)
    try:
        dialogue.add_statement(
            store, user, session_id, form.get("text_nl", ""), form.get("text_en", "")
        )
    except InvalidInput as error:
        return _control(request, store, user, session_id, error)
    return RedirectResponse(f"/datadialoog/{session_id}#stellingen", 303)


@router.post("/datadialoog/{session_id}/stellingen/{statement_id}")
async def edit_statement(
    request: Request, session_id: UUID, statement_id: UUID, user: PageUser, store: StoreDep
) -> Response:
    form = await _form(request)
    try:
        if form.get("remove") == "yes":
            dialogue.remove_statement(store, user, session_id, statement_id)
        else:
            dialogue.edit_statement(
                store,
                user,
                session_id,
                statement_id,
                form.get("text_nl", ""),
                form.get("text_en", ""),
            )
    except InvalidInput as error:
        return _control(request, store, user, session_id, error)
    return RedirectResponse(f"/datadialoog/{session_id}#stellingen", 303)


@router.post("/datadialoog/{session_id}/notities")
async def add_note(request: Request, session_id: UUID, user: PageUser, store: StoreDep) -> Response:
    form = await _form(request)
    try:
        dialogue.add_note(store, user, session_id, form.get("table", ""), form.get("text", ""))
    except InvalidInput as error:
        return _control(request, store, user, session_id, error)
    return RedirectResponse(f"/datadialoog/{session_id}#notities", 303)


@router.get("/datadialoog/{session_id}/antwoorden.csv")
def results_csv(request: Request, session_id: UUID, user: PageUser, store: StoreDep) -> Response:
    text = dialogue.results_csv(store, user, session_id, locale_of(request))
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": 'attachment; filename="datadialoog-antwoorden.csv"'},
    )


@router.get("/datadialoog/{session_id}/scherm")
def screen_page(request: Request, session_id: UUID, user: PageUser, store: StoreDep) -> Response:
    board = dialogue.board(store, user, session_id)
    return render(request, "dialogue_screen.html", _board_context(request, board))


@router.get("/datadialoog/{session_id}/scherm/live")
def screen_live(
    request: Request, session_id: UUID, user: PageUser, store: StoreDep, seen: str = ""
) -> Response:
    """The big screen's live figures; when the stage moved on, the whole screen reloads."""
    board = dialogue.board(store, user, session_id)
    if board.stage.key != seen:
        return Response(status_code=204, headers={"HX-Refresh": "true"})
    return render(request, "_dialogue_live.html", _board_context(request, board, qr=False))


# Participants (no account) -----------------------------------------------------------------


@router.get("/meedoen", name="join_page")
def join_page(request: Request, user: OptionalPageUser, code: str = "") -> Response:
    return render(request, "dialogue_join.html", {"code": code[:20], "error": None})


@router.post("/meedoen")
async def join(request: Request, user: OptionalPageUser, store: StoreDep) -> Response:
    form = await _form(request)
    code = form.get("code", "")
    try:
        joined = dialogue.join(store, code, request.cookies.get(COOKIE))
    except (WrongCode, SessionOver) as error:
        context = {"code": code[:20], "error": type(error).title}
        return render(request, "dialogue_join.html", context, status=status_of(error))
    target = "/meedoen/nu?al=1" if joined.already else "/meedoen/nu"
    response = RedirectResponse(target, 303)
    response.set_cookie(
        COOKIE,
        joined.token,
        httponly=True,
        samesite="lax",
        secure=not is_local_host(request),
        max_age=COOKIE_HOURS * 3600,
    )
    return response


def _participant_page(
    request: Request, store: StoreDep, *, status: int = 200, **extra: Any
) -> Response:
    try:
        seat = dialogue.seat(store, request.cookies.get(COOKIE))
    except (NotJoined, SessionOver) as error:
        joining: dict[str, Any] = {"code": "", "error": type(error).title}
        return render(request, "dialogue_join.html", joining, status=status_of(error))
    context: dict[str, Any] = {
        **_game_context(request),
        "seat": seat,
        "already": request.query_params.get("al") == "1",
        "closed": request.query_params.get("gesloten") == "1",
        "saved": request.query_params.get("opgeslagen") == "1",
        "problems": (),
        "tried": None,
        **extra,
    }
    return render(request, "dialogue_participant.html", context, status=status)


@router.get("/meedoen/nu")
def participant_page(request: Request, user: OptionalPageUser, store: StoreDep) -> Response:
    return _participant_page(request, store)


@router.get("/meedoen/status")
def participant_status(
    request: Request, store: StoreDep, user: OptionalPageUser, seen: str = ""
) -> Response:
    """For the phone: 204 while the stage is the one it shows; otherwise reload."""
    try:
        key = dialogue.stage_key(store, request.cookies.get(COOKIE))
    except (NotJoined, SessionOver):
        key = "over"
    headers = {} if key == seen else {"HX-Refresh": "true"}
    return Response(status_code=204, headers=headers)


def _answered(
    request: Request, store: StoreDep, answer: Callable[[str | None], None], done: str
) -> Response:
    """A participant's answer (`answer` with their cookie's token): on to `done`; a question
    that closed meanwhile sends them back with a word about it; bad input shows the page again."""
    try:
        answer(request.cookies.get(COOKIE))
    except AnsweringClosed:
        return RedirectResponse("/meedoen/nu?gesloten=1", 303)
    except InvalidInput as error:
        return _participant_page(request, store, status=422, problems=error.problems)
    return RedirectResponse(done, 303)


@router.post("/meedoen/stem")
async def vote(request: Request, user: OptionalPageUser, store: StoreDep) -> Response:
    form = await _form(request)
    step, choice = form.get("step", ""), form.get("choice", "")
    return _answered(
        request, store, lambda token: dialogue.vote(store, token, step, choice), "/meedoen/nu"
    )


@router.post("/meedoen/vragenlijst")
async def respond(request: Request, user: OptionalPageUser, store: StoreDep) -> Response:
    form = await _form(request)
    answers = {k.removeprefix("s-"): v for k, v in form.items() if k.startswith("s-")}
    return _answered(
        request,
        store,
        lambda token: dialogue.respond(store, token, answers),
        "/meedoen/nu?opgeslagen=1",
    )


@router.post("/meedoen/probeer")
async def try_it(request: Request, user: OptionalPageUser, store: StoreDep) -> Response:
    """A participant's own word as a pseudonym under key A and key B. Sent by POST so that the
    word never lands in an access log; it is not kept."""
    form = await _form(request)
    word = form.get("word", "")[:100]
    return _participant_page(request, store, tried=(word, *try_pseudonyms(word)) if word else None)


# The self-guided game ----------------------------------------------------------------------


def _self_step(number: int) -> Step:
    if not 1 <= number <= len(GAME_STEPS):
        raise NotFound()
    return GAME_STEPS[number - 1]


@router.get("/databasespel")
def self_intro(request: Request, user: OptionalPageUser) -> Response:
    return render(request, "game_intro.html", {"steps": GAME_STEPS, "step_titles": STEP_TITLES})


@router.get("/databasespel/{number}")
def self_step(request: Request, number: int, user: OptionalPageUser) -> Response:
    step = _self_step(number)
    context = {**_game_context(request), "step": step, "number": number}
    context |= {"chosen": None, "missing": False, "tried": None}
    return render(request, "game_step.html", context)


@router.post("/databasespel/{number}")
async def self_answer(request: Request, number: int, user: OptionalPageUser) -> Response:
    step = _self_step(number)
    form = await _form(request)
    word = form.get("word", "")[:100]
    chosen = form.get("choice", "")
    context = {**_game_context(request), "step": step, "number": number}
    context |= {"chosen": None, "missing": False, "tried": None}
    if word:  # trying a word is not answering
        context["tried"] = (word, *try_pseudonyms(word))
        return render(request, "game_step.html", context)
    if not QUESTIONS[step].has(chosen):
        return render(request, "game_step.html", {**context, "missing": True}, status=422)
    return render(request, "game_step.html", {**context, "chosen": chosen})
