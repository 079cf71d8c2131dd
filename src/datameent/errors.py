"""The errors datameent raises on purpose.

Every deliberate failure is a `DatameentError` with a plain-language title in Dutch and English,
so that the web layer can answer with ``application/problem+json`` or a readable page, and the
CLI with a message, without ever showing a stack trace or a personal data value.
"""

from __future__ import annotations

from dataclasses import dataclass

from datameent.domain.text import Text


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input: where (a field name, never its value) and why."""

    field: str
    message: Text


class DatameentError(Exception):
    """Base class of every error datameent raises on purpose."""

    title = Text("Er ging iets mis", "Something went wrong")

    def __init__(self, detail: Text | None = None) -> None:
        self.detail = detail
        super().__init__(detail.en if detail else self.title.en)


class InvalidInput(DatameentError):
    """The input breaks a rule; nothing was stored."""

    title = Text("De invoer klopt niet", "The input is not valid")

    def __init__(self, *problems: Problem, detail: Text | None = None) -> None:
        self.problems: tuple[Problem, ...] = problems
        super().__init__(detail or (problems[0].message if len(problems) == 1 else None))


class NotFound(DatameentError):
    """The thing does not exist, or the caller may not know that it exists."""

    title = Text("Niet gevonden", "Not found")


class AccessDenied(DatameentError):
    """The access policy said no. The reasons are kept for the log, not shown to the caller."""

    title = Text("Geen toegang", "Access denied")

    def __init__(self, reasons: tuple[str, ...] = (), *, hide_existence: bool = False) -> None:
        self.reasons = reasons
        self.hide_existence = hide_existence
        super().__init__()


class NotAuthenticated(DatameentError):
    """The caller did not log in, or the session has ended."""

    title = Text("U bent niet ingelogd", "You are not logged in")


class LoginFailed(DatameentError):
    """Wrong username or password; which of the two is never said."""

    title = Text(
        "Gebruikersnaam of wachtwoord klopt niet", "The username or password is not correct"
    )


class SignOnFailed(DatameentError):
    """Logging in through the municipality's identity provider did not work: the provider
    could not be reached, said no, or its answer did not hold up. `reason` says which, for the
    server's log; it never holds personal data."""

    title = Text(
        "Inloggen via de gemeente is niet gelukt. Probeer het nog een keer.",
        "Logging in through the municipality did not work. Please try again.",
    )

    def __init__(self, reason: str, *, by_provider: bool = True) -> None:
        self.reason = reason
        self.by_provider = by_provider
        """The provider's part went wrong (unreachable, an answer that does not hold), not the
        browser's (an expired or foreign attempt)."""
        super().__init__()


class SignOnRefused(DatameentError):
    """The identity provider vouched for someone, but datameent has no account they may use:
    the detail says why (no account, a stopped one, one bound to someone else)."""

    title = Text("U kunt nog niet inloggen", "You cannot log in yet")


class PasswordChangeRequired(DatameentError):
    """The account's password was given by someone else: its holder chooses their own first."""

    title = Text(
        "Kies eerst een eigen wachtwoord (op de website, bij Wachtwoord wijzigen).",
        "Choose a password of your own first (on the website, under Change password).",
    )


class TooManyAttempts(DatameentError):
    """Too many failed logins in a short time."""

    title = Text(
        "Te vaak geprobeerd. Wacht even en probeer het opnieuw.",
        "Too many attempts. Please wait and try again.",
    )

    def __init__(self, retry_after_seconds: int) -> None:
        self.retry_after_seconds = retry_after_seconds
        super().__init__()


class Conflict(DatameentError):
    """The request clashes with what is already stored."""

    title = Text("Dit bestaat al of is net gewijzigd", "This already exists or was just changed")


class DataErased(DatameentError):
    """The person's data key was destroyed: their values can no longer be read by anyone."""

    title = Text("Deze gegevens zijn gewist", "This data has been erased")


@dataclass(frozen=True)
class ConfigurationProblem:
    setting: str
    message: str


class ConfigurationError(DatameentError):
    """The settings do not allow a safe start. Lists every problem at once."""

    title = Text("De instellingen zijn niet compleet", "The settings are incomplete")

    def __init__(self, problems: list[ConfigurationProblem]) -> None:
        self.problems = problems
        summary = "; ".join(f"{p.setting}: {p.message}" for p in problems)
        super().__init__(Text(summary, summary))


class KeysNotHeld(DatameentError):
    """The database holds keys wrapped under a master key the settings do not hold."""

    title = Text(
        "De hoofdsleutel in de instellingen opent de sleutels van deze database niet",
        "The master key in the settings does not open this database's keys",
    )


KEYS_NOT_HELD = Text(
    "Zet de huidige hoofdsleutel in DATAMEENT_MASTER_KEY, en tijdens het wisselen de vorige "
    "in DATAMEENT_PREVIOUS_MASTER_KEY.",
    "Set the current master key as DATAMEENT_MASTER_KEY and, while rotating, the previous one "
    "as DATAMEENT_PREVIOUS_MASTER_KEY.",
)
