"""The whole site as each role finds it: every page reachable by following links, in Dutch
and in English, answers, and is a page a screen reader can find its way in.

A link that leads to a refusal (403), to nothing (404) or to an error is a defect even when no
one has reported it: the page offered something the role cannot have. So is a page without a
title or a single main heading, or in the other language."""

from __future__ import annotations

import re
from collections import deque

import httpx
import pytest

from tests.e2e.test_pages import login

PAGES = 60
"""Pages visited per role and language (breadth-first, so every menu and the first pages
behind it; a resident's and a case manager's links go on for as long as there are log lines
and clients)."""
LEAVE = re.compile(r"/uitloggen|/taal/|/static/")
"""Links the crawl does not follow: logging out, switching language, files."""


def _links(html: str) -> list[str]:
    found = re.findall(r'(?:href|hx-get)="(/[^"#]*)"', html)
    return [link.replace("&amp;", "&") for link in found if not LEAVE.search(link)]


def _crawl(http: httpx.Client, language: str) -> tuple[int, dict[str, str]]:
    """Visit up to `PAGES` pages from the start page: how many whole pages were seen, and
    what is wrong with any of them."""
    wrong: dict[str, str] = {}
    queue, seen, pages = deque(["/"]), {"/"}, 0
    while queue and len(seen) - len(queue) < PAGES:
        path = queue.popleft()
        response = http.get(path)
        if response.status_code in (302, 303, 307):
            found = [response.headers["location"]]
        elif response.status_code != 200:
            wrong[path] = f"answered {response.status_code}"
            continue
        elif not response.headers["content-type"].startswith("text/html"):
            continue
        else:
            html = response.text
            found = _links(html)
            if "<html" in html:  # a whole page, not an htmx fragment
                pages += 1
                problem = _page_problem(html, language)
                if problem:
                    wrong[path] = problem
        for link in found:
            if link.startswith("/") and not LEAVE.search(link) and link not in seen:
                seen.add(link)
                queue.append(link)
    return pages, wrong


def _page_problem(html: str, language: str) -> str | None:
    lang = re.search(r'<html lang="([a-z]{2})"', html)
    if lang is None or lang.group(1) != language:
        return f"not marked as {language}"
    title = re.search(r"<title>([^<]*)</title>", html)
    if title is None or not title.group(1).strip():
        return "no title"
    headings = len(re.findall(r"<h1[\s>]", html))
    if headings != 1:
        return f"{headings} main headings"
    if any("alt=" not in image for image in re.findall(r"<img\b[^>]*>", html)):
        return "an image without a text alternative"
    ids = re.findall(r'\bid="([^"]+)"', html)
    if twice := sorted({i for i in ids if ids.count(i) > 1}):
        return f"the same id on two elements: {', '.join(twice)}"
    return None


@pytest.mark.parametrize(
    "username",
    [
        "inwoner1",
        "klantmanager1",
        "teamleider1",
        "privacy1",
        "analist1",
        "clientenraad1",
        "facilitator1",
        "admin1",
    ],
)
def test_every_page_a_role_can_reach_answers_in_its_language(
    http: httpx.Client, username: str
) -> None:
    assert login(http, username).status_code == 303
    for language in ("nl", "en"):
        http.get(f"/taal/{language}?next=/")
        pages, wrong = _crawl(http, language)
        assert wrong == {}, f"{username} ({language}): {wrong}"
        assert pages >= 5, f"{username} ({language}) reached only {pages} pages"
