"""Record linkage with statistics microdata, without exchanging plain identifiers.

Three methods, one standardisation (`prepare`) and one evaluation (`evaluate`):

* `keyed`: keyed pseudonyms of the BSN, mapped to research pseudonyms by a trusted third party;
* `probabilistic`: Fellegi-Sunter with Splink on names, birth date, sex and address;
* `bloom`: Bloom-filter encodings (CLKs) under a secret the data holders share, compared by
  Dice similarity with privacy-preserving blocking.
"""

from __future__ import annotations

from datameent.domain.text import Text
from datameent.errors import InvalidInput


def refused(dutch: str, english: str) -> InvalidInput:
    """The error for input a linkage cannot use, in both languages."""
    return InvalidInput(detail=Text(dutch, english))
