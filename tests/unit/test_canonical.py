"""The log's canonical JSON is RFC 8785 (JCS) for every document the log can hold."""

import rfc8785
from hypothesis import given
from hypothesis import strategies as st

from datameent.store.processing_log import canonical

scalars = st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1) | st.text()
documents = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=5)
        | st.dictionaries(
            st.text(alphabet=st.characters(max_codepoint=127), max_size=12), children, max_size=5
        )
    ),
    max_leaves=8,
)


@given(
    st.dictionaries(
        st.text(alphabet=st.characters(max_codepoint=127), max_size=12), documents, max_size=8
    )
)
def test_canonical_equals_rfc8785(document: dict[str, object]) -> None:
    assert canonical(document) == rfc8785.dumps(document)


def test_a_real_record_and_awkward_strings() -> None:
    document = {
        "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736",
        "status": "Ok",
        "attributes": {"dpl.core.processing_activity_id": "urn:datameent:verwerking:x:v1"},
        "text": 'Zoë \u2028 \u001f \t " \\ \U0001f600 é',
        "n": [1, -2, 0],
        "b": None,
    }
    assert canonical(document) == rfc8785.dumps(document)
