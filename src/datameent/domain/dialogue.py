"""The data dialogue: a facilitator takes a room of people through the database game and a
questionnaire of privacy statements, each participant on their own phone, without an account.

A session moves through fixed stages: the lobby (people join with the code), for each step of
the game first a question (participants predict or vote) and then the answer, the questionnaire
(answering open), its results, and the end. Participants are anonymous: a random token in a
cookie, nothing asked about them. Answers to the questionnaire are shown only under the same
disclosure rules as the dashboards.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from datameent.domain.text import Text
from datameent.errors import AccessDenied, Conflict, InvalidInput, NotFound, Problem


class Step(StrEnum):
    LOBBY = "lobby"
    SOURCES = "sources"
    PSEUDONYMISE = "pseudonymise"
    LINK = "link"
    PROFILE = "profile"
    FRAUD = "fraud"
    PROTECT = "protect"
    QUESTIONNAIRE = "questionnaire"
    END = "end"


class Phase(StrEnum):
    ASK = "ask"
    """Participants answer; nothing of the answer is shown yet."""
    ANSWER = "answer"
    """The answer (or the results) on the screen; answering is closed."""


@dataclass(frozen=True)
class Stage:
    step: Step
    phase: Phase

    @property
    def key(self) -> str:
        return f"{self.step}:{self.phase}"


GAME_STEPS = (Step.SOURCES, Step.PSEUDONYMISE, Step.LINK, Step.PROFILE, Step.FRAUD, Step.PROTECT)
STAGES: tuple[Stage, ...] = (
    Stage(Step.LOBBY, Phase.ASK),
    *(Stage(step, phase) for step in GAME_STEPS for phase in (Phase.ASK, Phase.ANSWER)),
    Stage(Step.QUESTIONNAIRE, Phase.ASK),
    Stage(Step.QUESTIONNAIRE, Phase.ANSWER),
    Stage(Step.END, Phase.ANSWER),
)
QUESTIONNAIRE_OPENS = STAGES.index(Stage(Step.QUESTIONNAIRE, Phase.ASK))

STEP_NUMBERS = {
    Step.SOURCES: "1",
    Step.PSEUDONYMISE: "2",
    Step.LINK: "3",
    Step.PROFILE: "4",
    Step.FRAUD: "4b",
    Step.PROTECT: "5",
}
STEP_TITLES = {
    Step.LOBBY: Text("Welkom", "Welcome"),
    Step.SOURCES: Text("Twee lijsten over dezelfde mensen", "Two lists about the same people"),
    Step.PSEUDONYMISE: Text("Namen worden pseudoniemen", "Names become pseudonyms"),
    Step.LINK: Text("Lijsten koppelen", "Linking the lists"),
    Step.PROFILE: Text("Een profiel verschijnt", "A profile appears"),
    Step.FRAUD: Text("Een fraudelabel", "A fraud label"),
    Step.PROTECT: Text("Kleine groepen beschermen", "Protecting small groups"),
    Step.QUESTIONNAIRE: Text("Stellingen over privacy", "Statements about privacy"),
    Step.END: Text("Einde", "The end"),
}


@dataclass(frozen=True)
class Option:
    key: str
    label: Text


@dataclass(frozen=True)
class Question:
    step: Step
    prompt: Text
    options: tuple[Option, ...]

    def has(self, key: str) -> bool:
        return any(o.key == key for o in self.options)

    def label(self, key: str) -> Text:
        return next(o.label for o in self.options if o.key == key)


QUESTIONS: dict[Step, Question] = {
    Step.SOURCES: Question(
        Step.SOURCES,
        Text(
            "Kunt u zien wie in allebei de lijsten staat?",
            "Can you tell who is on both lists?",
        ),
        (
            Option("easy", Text("Ja, dat is makkelijk", "Yes, that is easy")),
            Option("hard", Text("Ja, maar het is lastig", "Yes, but it is hard")),
            Option("no", Text("Nee, dat kan niet", "No, that is impossible")),
        ),
    ),
    Step.PSEUDONYMISE: Question(
        Step.PSEUDONYMISE,
        Text(
            "Iemand ziet alleen het pseudoniem. Kan die persoon terugvinden wie het is?",
            "Someone sees only the pseudonym. Can they find out who it is?",
        ),
        (
            Option("everyone", Text("Ja, iedereen kan dat", "Yes, anyone can")),
            Option("key", Text("Alleen wie de sleutel heeft", "Only whoever holds the key")),
            Option("nobody", Text("Nee, niemand kan dat", "No, nobody can")),
        ),
    ),
    Step.LINK: Question(
        Step.LINK,
        Text(
            "De computer zoekt mensen terug zonder BSN. Vindt hij iedereen?",
            "The computer looks for people without a BSN. Does it find everyone?",
        ),
        (
            Option("all", Text("Ja, iedereen, zonder fouten", "Yes, everyone, without mistakes")),
            Option("most", Text("De meesten, met een paar fouten", "Most, with a few mistakes")),
            Option("none", Text("Bijna niemand", "Hardly anyone")),
        ),
    ),
    Step.PROFILE: Question(
        Step.PROFILE,
        Text(
            "De namen zijn weg. Kunt u iemand nog herkennen aan wijk, leeftijd en gezin?",
            "The names are gone. Can you still recognise someone by neighbourhood, age and "
            "household?",
        ),
        (
            Option("yes", Text("Ja", "Yes")),
            Option("no", Text("Nee", "No")),
        ),
    ),
    Step.FRAUD: Question(
        Step.FRAUD,
        Text(
            "De computer zet Anja op de lijst 'mogelijke fraude': er staat geld op een rekening "
            "die zij niet heeft opgegeven. Is Anja een fraudeur?",
            "The computer puts Anja on the 'possible fraud' list: there is money in an account "
            "she did not report. Is Anja a fraudster?",
        ),
        (
            Option("yes", Text("Ja", "Yes")),
            Option("no", Text("Nee", "No")),
            Option("unknown", Text("Dat kun je hieruit niet weten", "You cannot tell from this")),
        ),
    ),
    Step.PROTECT: Question(
        Step.PROTECT,
        Text(
            "De gemeente wil deze tabel publiceren. Welke getallen moeten weg?",
            "The municipality wants to publish this table. Which numbers must go?",
        ),
        (
            Option("none", Text("Geen: het zijn maar getallen", "None: they are just numbers")),
            Option("small", Text("Alleen de kleine getallen", "Only the small numbers")),
            Option(
                "more",
                Text(
                    "De kleine getallen, en nog een paar andere",
                    "The small numbers, and a few others",
                ),
            ),
        ),
    ),
}

SCALE = (
    Text("Helemaal oneens", "Strongly disagree"),
    Text("Oneens", "Disagree"),
    Text("Neutraal", "Neutral"),
    Text("Eens", "Agree"),
    Text("Helemaal eens", "Strongly agree"),
)
"""The five-point scale, score 1 to 5."""
COARSE_SCALE = (
    (Text("Oneens", "Disagree"), (1, 2)),
    (Text("Neutraal", "Neutral"), (3,)),
    (Text("Eens", "Agree"), (4, 5)),
)
"""The same answers in three groups: shown when the five-point table has to hide cells."""

DEFAULT_STATEMENTS = (
    Text(
        "Ik wil weten wie mijn dossier bekijkt, en waarom.",
        "I want to know who looks at my file, and why.",
    ),
    Text(
        "Alleen mijn eigen klantmanager mag mijn dossier bekijken.",
        "Only my own case manager may look at my file.",
    ),
    Text(
        "De gemeente moet laten zien wat zij met mijn gegevens doet.",
        "The municipality must show what it does with my data.",
    ),
    Text("Mijn gegevens zijn van mij.", "My data belong to me."),
    Text(
        "De gemeente mag alleen vragen wat nodig is voor mijn uitkering of werk.",
        "The municipality may only ask what is needed for my benefit or my work.",
    ),
    Text(
        "Ik wil een eigen datakluis, waaruit ik zelf deel wat nodig is.",
        "I want a data vault of my own, from which I share what is needed myself.",
    ),
    Text(
        "Een computer mag mijn klantmanager advies geven over welke hulp bij mij past.",
        "A computer may advise my case manager on which support suits me.",
    ),
    Text(
        "Een computer mag nooit zelf over mij beslissen.",
        "A computer must never decide about me on its own.",
    ),
)

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
"""No 0/O, 1/I: a code read from a projector is typed without doubt."""
CODE_LENGTH = 6
SESSION_LIFETIME = timedelta(hours=12)
"""How long a join code works after the session started."""
MAX_STATEMENT = 300
MAX_STATEMENTS = 20
MAX_NOTE = 4000
MAX_TABLE = 40
MAX_TITLE = 120

_SEPARATORS = re.compile(r"[\s\-_.]")


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(raw: str) -> str:
    """A join code as typed ("k7m x4p", "K7M-X4P") in its one form; `WrongCode` if it cannot
    be one."""
    code = _SEPARATORS.sub("", raw).upper()[: CODE_LENGTH + 10]
    if len(code) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in code):
        raise WrongCode()
    return code


class _Told:
    """An error whose title is also its detail: error pages on a 404 show only the detail
    (a 404's title is always "not found", so as not to reveal what exists)."""

    title: Text

    def __init__(self) -> None:
        super().__init__(detail=self.title)  # type: ignore[call-arg]


class WrongCode(_Told, NotFound):
    title = Text(
        "Deze code kennen we niet. Kijk nog eens op het grote scherm.",
        "We do not know this code. Please look at the big screen again.",
    )


class SessionOver(_Told, NotFound):
    title = Text(
        "Deze sessie is afgelopen. Vraag de gespreksleider om de nieuwe code.",
        "This session has ended. Ask the facilitator for the new code.",
    )


class NotJoined(_Told, NotFound):
    title = Text(
        "U doet nog niet mee. Vul de code van het grote scherm in.",
        "You have not joined yet. Enter the code from the big screen.",
    )


class AnsweringClosed(_Told, Conflict):
    title = Text(
        "Deze vraag is al gesloten. Kijk op het grote scherm naar het antwoord.",
        "This question has closed. Look at the big screen for the answer.",
    )


class StatementsLocked(_Told, Conflict):
    title = Text(
        "De stellingen liggen vast: de vragenlijst is al geopend.",
        "The statements are fixed: the questionnaire has already opened.",
    )


class NotYourSession(AccessDenied):
    title = Text(
        "Deze sessie wordt geleid door een andere gespreksleider. U kunt er niets in veranderen.",
        "Another facilitator runs this session. You cannot change anything in it.",
    )


NO_STATEMENTS = Text("Er moet minstens één stelling zijn.", "There must be at least one statement.")


def check_title(title: str) -> str:
    title = " ".join(title.split())
    if not title or len(title) > MAX_TITLE:
        raise InvalidInput(
            Problem(
                "title",
                Text(
                    f"Geef de sessie een naam van 1 tot {MAX_TITLE} tekens.",
                    f"Give the session a name of 1 to {MAX_TITLE} characters.",
                ),
            )
        )
    return title


def check_statement(nl: str, en: str) -> Text:
    """A statement as the facilitator typed it: Dutch required, English optional (the Dutch
    text is shown when there is none)."""
    nl, en = " ".join(nl.split()), " ".join(en.split())
    problems = []
    if not nl or len(nl) > MAX_STATEMENT:
        problems.append(
            Problem(
                "text_nl",
                Text(
                    f"Schrijf de stelling in het Nederlands, in 1 tot {MAX_STATEMENT} tekens.",
                    f"Write the statement in Dutch, in 1 to {MAX_STATEMENT} characters.",
                ),
            )
        )
    if len(en) > MAX_STATEMENT:
        problems.append(
            Problem(
                "text_en",
                Text(
                    f"De Engelse tekst is langer dan {MAX_STATEMENT} tekens.",
                    f"The English text is longer than {MAX_STATEMENT} characters.",
                ),
            )
        )
    if problems:
        raise InvalidInput(*problems)
    return Text(nl, en or nl)


def check_note(table: str, text: str) -> tuple[str, str]:
    table, text = " ".join(table.split()), text.strip()
    problems = []
    if not table or len(table) > MAX_TABLE:
        problems.append(
            Problem(
                "table",
                Text(
                    f"Noem de tafel (1 tot {MAX_TABLE} tekens), bijvoorbeeld 'Tafel 1'.",
                    f"Name the table (1 to {MAX_TABLE} characters), for example 'Table 1'.",
                ),
            )
        )
    if not text or len(text) > MAX_NOTE:
        problems.append(
            Problem(
                "text",
                Text(
                    f"Schrijf de aantekening in 1 tot {MAX_NOTE} tekens.",
                    f"Write the note in 1 to {MAX_NOTE} characters.",
                ),
            )
        )
    if problems:
        raise InvalidInput(*problems)
    return table, text


def check_score(raw: str) -> int:
    if raw not in {"1", "2", "3", "4", "5"}:
        raise InvalidInput(
            Problem(
                "score",
                Text("Kies een antwoord van 1 tot 5.", "Choose an answer from 1 to 5."),
            )
        )
    return int(raw)


EXPLAIN: dict[Step, Text] = {
    Step.SOURCES: Text(
        "Het kan, maar het is lastig. De gemeente en het CBS schrijven namen soms anders, "
        "mensen verhuizen, en niet iedereen staat in allebei de lijsten. Een mens ziet het vaak "
        "wel. Een computer heeft daar regels voor nodig.",
        "It can be done, but it is hard. The municipality and the statistics office sometimes "
        "write names differently, people move, and not everyone is on both lists. A person "
        "often sees it. A computer needs rules for it.",
    ),
    Step.PSEUDONYMISE: Text(
        "Een pseudoniem is een code die de computer maakt uit het BSN en een geheime sleutel. "
        "Met dezelfde sleutel krijgt dezelfde persoon altijd dezelfde code, in allebei de "
        "lijsten: zo kun je koppelen zonder namen. Terugrekenen van code naar persoon kan niet. "
        "Alleen wie de sleutel heeft, kan een BSN opnieuw omzetten en kijken of de code past. "
        "Daarom ligt de sleutel bij een vertrouwde partij, niet bij de onderzoeker. Met een "
        "andere sleutel krijgt iedereen een heel andere code.",
        "A pseudonym is a code the computer makes from the BSN and a secret key. With the same "
        "key the same person always gets the same code, on both lists: so you can link without "
        "names. Working back from the code to the person is impossible. Only whoever holds the "
        "key can convert a BSN again and see whether the code matches. That is why a trusted "
        "party keeps the key, not the researcher. With another key everyone gets a completely "
        "different code.",
    ),
    Step.LINK: Text(
        "Op het pseudoniem koppelt de computer {keyed} mensen zonder twijfel. Voor wie geen BSN "
        "heeft, vergelijkt hij naam, geboortedatum en adres, en rekent hij uit hoe groot de kans "
        "is dat het dezelfde persoon is. In de hele stad ({compared} volwassenen) vond hij zo "
        "{found} van de {true} mensen die in allebei de lijsten staan. {wrong} keer koppelde hij "
        "de verkeerde persoon. Wie hij mist, had vaak meer dan één verschil tegelijk: een "
        "tikfout, een verhuizing, een lege geboortedatum.",
        "On the pseudonym the computer links {keyed} people without doubt. For those without a "
        "BSN it compares name, birth date and address, and works out how likely it is that they "
        "are the same person. In the whole town ({compared} adults) it found {found} of the "
        "{true} people who are on both lists. {wrong} times it linked the wrong person. Those "
        "it misses often had more than one difference at once: a typo, a move, an empty birth "
        "date.",
    ),
    Step.PROFILE: Text(
        "Zonder namen is bijna iedereen nog uniek: in deze tabel is de kleinste groep {k}. Wie "
        "weet dat zijn buurvrouw in die wijk van die leeftijd is en alleen woont, vindt haar "
        "terug. Daarom geldt k-anonimiteit: iedereen moet in een groep van minstens k mensen "
        "vallen. Met grovere groepen (leeftijd in twee delen, soort huishouden) is de kleinste "
        "groep {wider_k}. In de hele gekoppelde stad verschijnt ook een profiel: welk soort "
        "huishouden vaker bijstand heeft. Een profiel zegt iets over een groep, niet over u.",
        "Without names almost everyone is still unique: in this table the smallest group is "
        "{k}. Whoever knows that their neighbour is of that age in that neighbourhood and lives "
        "alone finds her again. Hence k-anonymity: everyone must fall in a group of at least k "
        "people. With coarser groups (age in two parts, type of household) the smallest group "
        "is {wider_k}. In the whole linked town a profile also appears: which type of household "
        "more often receives bijstand. A profile says something about a group, not about you.",
    ),
    Step.FRAUD: Text(
        "Dat kun je hieruit niet weten. Anja zorgt voor haar moeder met dementie. Het geld is "
        "het spaargeld van haar moeder. Anja wist niet dat ze dat moest opgeven. Een computer "
        "die leert van oude 'fraudegevallen' leert zulke vergissingen mee: mantelzorgers, "
        "mensen die verhuisden of een formulier niet begrepen, komen dan vaker op de lijst. "
        "Zo'n voorspelling is niet eerlijk en niet juist. datameent maakt daarom nooit "
        "fraudescores.",
        "You cannot tell from this. Anja cares for her mother, who has dementia. The money is "
        "her mother's savings. Anja did not know she had to report it. A computer that learns "
        "from past 'fraud cases' learns such mistakes too: carers, people who moved or did not "
        "understand a form end up on the list more often. Such a prediction is neither fair nor "
        "right. That is why datameent never makes fraud scores.",
    ),
    Step.PROTECT: Text(
        "Getallen onder de {min} gaan weg: daarin zou u iemand kunnen herkennen. Maar zo'n "
        "getal kun je terugrekenen uit het totaal van de rij. Daarom gaat er nog een getal weg "
        "('ook verborgen'). Zo doen het CBS en gemeenten het, en zo doen de dashboards van "
        "datameent het ook.",
        "Numbers under {min} go: someone could be recognised in them. But such a number can be "
        "worked back from the row's total. So one more number goes ('also hidden'). That is how "
        "Statistics Netherlands and municipalities do it, and so do datameent's dashboards.",
    ),
}

FRAUD_CASES = (
    (
        Text("Spaargeld van haar moeder op eigen naam", "Her mother's savings in her name"),
        Text("Mantelzorger, wist het niet", "Carer, did not know"),
    ),
    (
        Text("Verhuizing niet doorgegeven", "Move not reported"),
        Text("Scheiding, post kwam niet aan", "Divorce, post did not arrive"),
    ),
    (
        Text("Inkomen te laat opgegeven", "Income reported late"),
        Text("Formulier niet begrepen", "Did not understand the form"),
    ),
    (
        Text("Bijbaan niet opgegeven", "Side job not reported"),
        Text("Met opzet", "On purpose"),
    ),
    (
        Text("Kostganger niet opgegeven", "Lodger not reported"),
        Text("Onbekend: nooit gevraagd", "Unknown: never asked"),
    ),
)
"""Past 'fraud cases' as a risk model would learn them: the label is the same, the story is not
(the carer who did not report her mother's savings is the case in the data dialogues' texts)."""
