"""The ledger against the published RFC 6962 test vectors of transparency-dev/merkle
(testonly/constants.go and proof/verify_test.go): same inputs, same hashes, same proofs."""

import pytest

from datameent.ledger import (
    EMPTY_ROOT,
    InvalidProof,
    LeafHashes,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    root_hash,
    verify_consistency,
    verify_inclusion,
)

LEAVES = [
    bytes.fromhex(h)
    for h in (
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    )
]
LEAF_HASHES = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
    "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
    "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
    "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
    "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
]
ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
# (leaf index, tree size, proof); the source numbers leaves from 1, these from 0.
INCLUSION = [
    (
        0,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        [
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (
        1,
        5,
        [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
    (0, 1, []),
]
CONSISTENCY = [
    (1, 1, []),
    (
        1,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        [
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
    (
        6,
        7,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
]
TREE = LeafHashes([leaf_hash(entry) for entry in LEAVES])


def test_leaf_hashes_match() -> None:
    assert [leaf_hash(entry).hex() for entry in LEAVES] == LEAF_HASHES


def test_root_hashes_match_for_every_size() -> None:
    assert EMPTY_ROOT.hex() == ROOTS[0]
    assert [root_hash(TREE, size).hex() for size in range(9)] == ROOTS


@pytest.mark.parametrize(("index", "size", "proof"), INCLUSION)
def test_inclusion_proofs_match_and_verify(index: int, size: int, proof: list[str]) -> None:
    made = inclusion_proof(TREE, index, size)
    assert [h.hex() for h in made] == proof
    verify_inclusion(TREE.hashes[index], index, size, made, bytes.fromhex(ROOTS[size]))


@pytest.mark.parametrize(("first", "second", "proof"), CONSISTENCY)
def test_consistency_proofs_match_and_verify(first: int, second: int, proof: list[str]) -> None:
    made = consistency_proof(TREE, first, second)
    assert [h.hex() for h in made] == proof
    verify_consistency(
        first, second, made, bytes.fromhex(ROOTS[first]), bytes.fromhex(ROOTS[second])
    )


def corrupted_inclusion(index: int, size: int, proof: list[bytes], root: bytes, leaf: bytes):  # type: ignore[no-untyped-def]
    some = bytes.fromhex("abacaba000000000000000000000000000000000000000000060061e00123456")
    yield index - 1, size, proof, root, leaf
    yield index + 1, size, proof, root, leaf
    yield index ^ 2, size, proof, root, leaf
    yield index, size * 2, proof, root, leaf
    yield index, size // 2, proof, root, leaf
    yield index, size, proof, root, b"WrongLeaf"
    yield index, size, proof, EMPTY_ROOT, leaf
    yield index, size, proof, some, leaf
    yield index, size, [*proof, b""], root, leaf
    yield index, size, [*proof, root], root, leaf
    yield index, size, [b"", *proof], root, leaf
    yield index, size, [root, *proof], root, leaf
    for i in range(len(proof)):
        flipped = list(proof)
        flipped[i] = bytes([flipped[i][0] ^ 8]) + flipped[i][1:]
        yield index, size, flipped, root, leaf
    if proof:
        yield index, size, proof[:-1], root, leaf
    if len(proof) > 1:
        yield index, size, [proof[0], some, *proof[1:]], root, leaf


@pytest.mark.parametrize(("index", "size", "proof"), INCLUSION[:4])
def test_every_corruption_of_an_inclusion_proof_fails(
    index: int, size: int, proof: list[str]
) -> None:
    hashes = [bytes.fromhex(h) for h in proof]
    root, leaf = bytes.fromhex(ROOTS[size]), TREE.hashes[index]
    for case in corrupted_inclusion(index, size, hashes, root, leaf):
        with pytest.raises(InvalidProof):
            verify_inclusion(case[4], case[0], case[1], case[2], case[3])


@pytest.mark.parametrize(("first", "second", "proof"), CONSISTENCY[1:])
def test_every_corruption_of_a_consistency_proof_fails(
    first: int, second: int, proof: list[str]
) -> None:
    hashes = [bytes.fromhex(h) for h in proof]
    r1, r2 = bytes.fromhex(ROOTS[first]), bytes.fromhex(ROOTS[second])
    cases = [
        (first - 1, second, hashes, r1, r2),
        (first + 1, second, hashes, r1, r2),
        (first ^ 2, second, hashes, r1, r2),
        (first, second * 2, hashes, r1, r2),
        (first, second // 2, hashes, r1, r2),
        (first, second, hashes, b"WrongRoot", r2),
        (first, second, hashes, r1, b"WrongRoot"),
        (first, second, hashes, r2, r1),
        (first, second, [], r1, r2),
        (first, second, [*hashes, b""], r1, r2),
        (first, second, [*hashes, r1], r1, r2),
        (first, second, [*hashes, r2], r1, r2),
        (first, second, [b"", *hashes], r1, r2),
        (first, second, [r1, *hashes], r1, r2),
        (first, second, [r2, *hashes], r1, r2),
        (first, second, [hashes[0], *hashes], r1, r2),
        (first, second, hashes[:-1], r1, r2),
    ]
    for i in range(len(hashes)):
        flipped = list(hashes)
        flipped[i] = bytes([flipped[i][0] ^ 16]) + flipped[i][1:]
        cases.append((first, second, flipped, r1, r2))
    for f, s, p, a, b in cases:
        with pytest.raises(InvalidProof):
            verify_consistency(f, s, p, a, b)


def test_edge_cases_of_consistency() -> None:
    verify_consistency(0, 0, [], EMPTY_ROOT, EMPTY_ROOT)
    verify_consistency(0, 5, [], b"any", b"thing")
    verify_consistency(1, 1, [], b"same", b"same")
    for first, second, proof, r1, r2 in [
        (1, 1, [], b"a", b"b"),
        (1, 0, [], b"a", b"b"),
        (2, 1, [], b"a", b"b"),
        (1, 2, [], b"a", b"b"),
        (0, 1, [EMPTY_ROOT], EMPTY_ROOT, EMPTY_ROOT),
        (1, 1, [EMPTY_ROOT], EMPTY_ROOT, EMPTY_ROOT),
    ]:
        with pytest.raises(InvalidProof):
            verify_consistency(first, second, proof, r1, r2)


def test_proofs_outside_the_tree_are_refused() -> None:
    for index, size in [(0, 0), (8, 8), (-1, 3)]:
        with pytest.raises(InvalidProof):
            inclusion_proof(TREE, index, size)
    with pytest.raises(InvalidProof):
        consistency_proof(TREE, 5, 3)
