"""Protection against cross-site request forgery for every form.

A "signed double-submit cookie" (OWASP): each browser gets a random `dm_csrf` cookie, and every
form carries an HMAC of that cookie under the server's secret key. Another site can make the
browser send the cookie, but can neither read it nor compute the HMAC. Written here rather than
taken from a library because it is twenty lines and the candidates are thinly maintained.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from fastapi import Request

from datameent.domain.text import Text
from datameent.errors import DatameentError

COOKIE = "dm_csrf"
FIELD = "csrf_token"
HEADER = "x-csrf-token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class CsrfFailed(DatameentError):
    title = Text(
        "Dit formulier is verlopen. Laad de pagina opnieuw en probeer het nog een keer.",
        "This form has expired. Reload the page and try again.",
    )


def new_cookie_value() -> str:
    return secrets.token_urlsafe(32)


def token_for(secret: bytes, cookie_value: str) -> str:
    return hmac.new(secret, cookie_value.encode(), hashlib.sha256).hexdigest()


async def verify(request: Request) -> None:
    """A dependency for every page router: unsafe requests must carry a valid token."""
    if request.method not in UNSAFE_METHODS:
        return
    cookie = request.cookies.get(COOKIE)
    sent = request.headers.get(HEADER)
    if sent is None:
        form = await request.form()
        value = form.get(FIELD)
        sent = value if isinstance(value, str) else None
    secret: bytes = request.app.state.settings.secret_key_bytes()
    if not cookie or not sent or not hmac.compare_digest(token_for(secret, cookie), sent):
        raise CsrfFailed()
