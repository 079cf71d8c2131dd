"""Every text people read on a page exists in Dutch, with the same placeholders."""

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from datameent.web.i18n import CATALOG, Formats, load_translations, make_gettext

WEB = Path(__file__).parents[2] / "src" / "datameent" / "web"
METHODS = [("templates/**.html", "jinja2"), ("**.py", "python")]


def extracted() -> set[str]:
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(WEB), METHODS, keywords={"_": None}
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_message_has_a_dutch_translation() -> None:
    with CATALOG.open("rb") as po:
        catalog = read_po(po)
    translated = {m.id: m.string for m in catalog if m.id and m.string}
    messages = extracted()
    assert len(messages) > 50
    assert messages - set(translated) == set()


def test_translations_keep_their_placeholders() -> None:
    with CATALOG.open("rb") as po:
        catalog = read_po(po)
    for message in catalog:
        if message.id:
            assert set(re.findall(r"%\((\w+)\)s", str(message.id))) == set(
                re.findall(r"%\((\w+)\)s", str(message.string))
            ), message.id


def test_dutch_is_served_from_the_catalog_and_english_from_the_source() -> None:
    translations = load_translations()
    assert make_gettext(translations["nl"])("My data") == "Mijn gegevens"
    assert make_gettext(translations["en"])("My data") == "My data"
    assert make_gettext(translations["nl"])("Welcome, %(name)s", name="Ans") == "Welkom, Ans"


def test_money_and_dates_are_written_the_dutch_way() -> None:
    from datetime import date

    assert Formats("nl").money("1401.50") == "€\xa01.401,50"  # a non-breaking space
    assert Formats("nl").per100(0.1549) == "15,5" and Formats("en").per100(0.1549) == "15.5"
    assert (
        Formats("nl").decimal(0.04041, 4) == "0,0404"
        and Formats("nl").decimal(44110, 0) == "44.110"
    )
    assert Formats("nl").date(date(2026, 3, 1)) == "1 maart 2026"
    assert Formats("en").date(date(2026, 3, 1)) == "1 March 2026"


def test_a_message_writes_its_date_as_the_reader_does() -> None:
    from uuid import uuid4

    from datameent.domain.notifications import Kind, Notification

    note = Notification(uuid4(), uuid4(), Kind.COMPLAINT_RECEIVED, {"until": "2027-01-19"})
    assert "uiterlijk op 19 januari 2027 wat" in note.text("nl", Formats("nl").date)
    assert "by 19 January 2027 at the latest" in note.text("en", Formats("en").date)
    assert "2027-01-19" in note.text("nl"), "without a way to write it: ISO"
    asked = Notification(uuid4(), uuid4(), Kind.REQUEST_NEW, {"due": "2026-12-21"})
    assert "Graag vóór 21 december 2026." in asked.text("nl", Formats("nl").date)
    odd = Notification(uuid4(), uuid4(), Kind.DECISION_NEW, {"until": "binnenkort"})
    assert "tot en met binnenkort" in odd.text("nl", Formats("nl").date)
