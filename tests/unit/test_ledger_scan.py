"""Verifying in parts: whatever the split, the joined parts give RFC 9162's root at every wanted
size, and a bad row is named at the same index as in one scan."""

import hashlib
import json

from hypothesis import given
from hypothesis import strategies as st

from datameent.ledger import leaf_hash
from datameent.ledger.scan import Fault, Part, combine, scan
from datameent.store.ledger_scan import _decode, _encode
from tests.unit.test_ledger_properties import reference_root


def rows(count: int) -> tuple[list[tuple[int, bytes, str]], list[tuple[int, bytes]]]:
    payloads = [json.dumps({"n": i}) for i in range(count)]
    digests = [hashlib.sha256(p.encode()).digest() for p in payloads]
    records = [(i, d, p) for i, (d, p) in enumerate(zip(digests, payloads, strict=True))]
    return records, [(i, leaf_hash(d)) for i, d in enumerate(digests)]


def scan_in_parts(
    records: list[tuple[int, bytes, str]],
    leaves: list[tuple[int, bytes]],
    bounds: list[int],
    wanted: set[int],
) -> dict[int, bytes] | Fault:
    parts: list[Part | Fault] = []
    for start, end in zip(bounds, bounds[1:], strict=False):
        inside = [r for r in records if start <= r[0] < end]
        leaves_inside = [leaf for leaf in leaves if start <= leaf[0] < end]
        parts.append(scan(iter(inside), iter(leaves_inside), start, end, wanted))
    return combine(parts, wanted)


@given(st.data())
def test_any_split_gives_the_roots_of_one_scan(data: st.DataObject) -> None:
    size = data.draw(st.integers(0, 200))
    cuts = data.draw(st.lists(st.integers(0, size), max_size=4))
    wanted = set(data.draw(st.lists(st.integers(1, max(size, 1)), max_size=5))) | {size}
    wanted = {w for w in wanted if w <= size}
    records, leaves = rows(size)
    roots = scan_in_parts(records, leaves, sorted({0, size, *cuts}), wanted)
    assert not isinstance(roots, Fault)
    hashes = [leaf for _, leaf in leaves]
    for w in wanted | {0}:
        assert roots[w] == reference_root(hashes[:w])


@given(st.data())
def test_a_changed_or_missing_row_is_named_at_its_index_in_any_split(data: st.DataObject) -> None:
    size = data.draw(st.integers(2, 120))
    bad = data.draw(st.integers(0, size - 1))
    how = data.draw(st.sampled_from(["payload", "digest", "leaf", "no record", "no leaf"]))
    cuts = data.draw(st.lists(st.integers(0, size), max_size=3))
    records, leaves = rows(size)
    seq, digest, payload = records[bad]
    if how == "payload":
        records[bad] = (seq, digest, payload.replace("}", " }"))
    elif how == "digest":
        records[bad] = (seq, bytes(32), payload)
    elif how == "leaf":
        leaves[bad] = (bad, bytes(32))
    elif how == "no record":
        del records[bad]
    else:
        del leaves[bad]
    whole = scan_in_parts(records, leaves, [0, size], {size})
    split = scan_in_parts(records, leaves, sorted({0, size, *cuts}), {size})
    assert isinstance(whole, Fault) and isinstance(split, Fault)
    assert whole.index == split.index == bad


def test_a_part_travels_between_processes_unchanged() -> None:
    records, leaves = rows(37)
    part = scan(iter(records[5:30]), iter(leaves[5:30]), 5, 30, {12, 30})
    assert isinstance(part, Part) and part.at.keys() == {12, 30}
    assert _decode(json.loads(json.dumps(_encode(part)))) == part
    fault = Fault(7, "a record was changed")
    assert _decode(json.loads(json.dumps(_encode(fault)))) == fault
