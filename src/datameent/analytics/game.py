"""The database game of the data dialogue: small toy tables from the synthetic municipality, run
through the real pseudonymisation, linkage and disclosure-control code.

The game shows a room of residents what happens to data in five steps: two sources about the
same people; pseudonyms under a key; linking on the pseudonym and, where the key is missing,
probabilistic linkage with its mistakes; a profile that appears when linked data are grouped,
and how a small group makes a person recognisable again; and disclosure control that hides the
small groups. Every figure shown comes from `analytics.pseudonyms`, `analytics.linkage` and
`analytics.disclosure` run on a synthetic town: nothing is drawn by hand. The town and its
toy tables are the same for every session (`GAME_SEED`), so a facilitator can rehearse.

The two keys are toy keys, public on purpose: a real key is held by a trusted third party.
"""

from __future__ import annotations

import functools
import hashlib
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import polars as pl

from datameent.analytics.disclosure import Protected, Rules, protect
from datameent.analytics.pseudonyms import Pseudonymiser
from datameent.analytics.synth import ExtractNoise, Population, population

GAME_SEED = 2018
"""The year of the first data dialogue (Rotterdam, 8 February 2018)."""
TOWN = 6000
"""Residents of the game's town: enough bijstand clients for a table with small groups."""
LINKED = 2000
"""Residents (and their records at the statistics office) the linkage step compares."""
NOISE = ExtractNoise(overlap=0.9, only_there=0.05, typos=0.10)
KEY_A = hashlib.sha256(b"datameent databasespel sleutel A").digest()
KEY_B = hashlib.sha256(b"datameent databasespel sleutel B").digest()
DOMAIN = "databasespel"
SHOWN = 12
"""Characters of a pseudonym shown (of 32): enough to tell them apart on a projector."""
AGE_BANDS = ((0, 30, "18-29"), (30, 45, "30-44"), (45, 60, "45-59"), (60, 200, "60+"))
WIDE_AGE_BANDS = ((0, 45, "18-44"), (45, 200, "45+"))
ADULT_BORN_BEFORE = 2007


@dataclass(frozen=True)
class Record:
    """One row of a toy table, as shown (the BSN only as its last three digits)."""

    row: int
    name: str
    birth_date: date | None
    address: str
    postcode: str
    bsn_end: str | None
    """The last three digits of the BSN; None when this source has no BSN for the record."""
    extra: str
    """Municipality: bijstand yes/no; statistics office: household type."""
    pseudonym_a: str | None = None
    pseudonym_b: str | None = None


@dataclass(frozen=True)
class Pair:
    """A municipal record and a statistics-office record, found to be the same person or not."""

    municipal: int
    statistics: int
    probability: float | None
    """Splink's match probability; None for a link on the pseudonym."""
    correct: bool
    differences: tuple[str, ...]
    """What the two records disagree on: name, birth_date, address, sex."""


@dataclass(frozen=True)
class Group:
    cells: tuple[str, ...]
    size: int
    rows: tuple[int, ...]


@dataclass(frozen=True)
class Share:
    category: str
    people: int
    on_bijstand: int

    @property
    def percent(self) -> float:
        return 100 * self.on_bijstand / self.people if self.people else 0.0


@dataclass(frozen=True)
class Game:
    municipality: tuple[Record, ...]
    statistics_office: tuple[Record, ...]
    same_pseudonym: tuple[Pair, ...]
    """Linked on the pseudonym (both sources hold the BSN)."""
    probabilistic: tuple[Pair, ...]
    """Linked by Splink among the records without a shared key."""
    missed: tuple[Pair, ...]
    """The same person in both sources, not linked by Splink."""
    compared: int
    """Residents the linkage step compared (the toy tables are drawn from them)."""
    linkage_found: int
    linkage_true: int
    linkage_wrong: int
    groups: tuple[Group, ...]
    """The linked toy people by neighbourhood, age band and household: the k-anonymity view."""
    wider_groups: tuple[Group, ...]
    """The same people by age band (wider) and household only."""
    profile: tuple[Share, ...]
    """Share on bijstand per household type in the linked town: a profile appears."""
    table_before: pl.DataFrame
    """Bijstand clients by neighbourhood and age band, every count (what must not be published)."""
    table_after: Protected
    """The same table after disclosure control, as the dashboards publish it."""
    town: int
    clients: int

    @property
    def k(self) -> int:
        """The smallest group in the k-anonymity view: k = 1 means someone is recognisable."""
        return min(g.size for g in self.groups)

    @property
    def wider_k(self) -> int:
        return min(g.size for g in self.wider_groups)

    @property
    def everyone_found(self) -> bool:
        return not self.missed and self.linkage_wrong == 0

    @property
    def secondary(self) -> bool:
        """Disclosure control also hid cells that were not small (secondary suppression)."""
        return bool((self.table_after.cells["status"] == "secondary").any())


def pseudonym(key: bytes, identifier: str) -> str:
    """The pseudonym of `identifier` under a toy `key`, as the game shows it."""
    return Pseudonymiser.for_domain(key, DOMAIN).pseudonym("person", identifier)[:SHOWN]


def try_pseudonyms(text: str) -> tuple[str, str]:
    """What a participant's own word becomes under key A and key B (nothing is kept)."""
    word = text.strip()[:100]
    return pseudonym(KEY_A, word), pseudonym(KEY_B, word)


_BUILDING = threading.Lock()


def game() -> Game:
    """The game's tables, built once per process (a few seconds, mostly the linkage model);
    a second caller waits for the first rather than building them again."""
    with _BUILDING:
        return _game()


@functools.cache
def _game() -> Game:
    return build(GAME_SEED)


def build(seed: int) -> Game:
    town = population(TOWN, seed, noise=NOISE)
    persons = town.persons.filter(pl.col("age") >= 18)
    compared = persons.filter(pl.col("person_id") <= LINKED)
    truth = town.links.join(town.extract, on="record_id")
    adults = compared["person_id"].implode()
    records = truth.filter(pl.col("person_id").is_null() | pl.col("person_id").is_in(adults))
    # Imported here, when the game is built: Splink and Numba take a second to import.
    from datameent.analytics.linkage.probabilistic import link

    scored = link(
        compared, records.drop("person_id"), left_id="person_id", right_id="record_id", seed=seed
    )
    links = scored.links.select(pl.col("left_id").cast(pl.Int64), "right_id", "match_probability")
    judged = links.join(
        records.select("record_id", pl.col("person_id").alias("true_id")),
        left_on="right_id",
        right_on="record_id",
    )
    right = judged.filter(pl.col("left_id") == pl.col("true_id"))
    wrong = judged.filter(pl.col("left_id") != pl.col("true_id"))
    in_both = records.filter(pl.col("person_id").is_not_null())
    missed_ids = in_both.join(
        right, left_on=["record_id", "person_id"], right_on=["right_id", "left_id"], how="anti"
    )
    clients = set(town.clients["person_id"].to_list())
    chosen = _choose(compared, in_both, right, missed_ids, records, clients)
    return _assemble(town, compared, records, right, wrong, missed_ids, chosen, clients)


@dataclass(frozen=True)
class _Choice:
    keyed: list[tuple[int, str]]
    """(person_id, record_id) linked on the BSN."""
    splink: list[tuple[int, str]]
    """Linked by Splink; the toy statistics office holds no BSN for them."""
    missed: list[tuple[int, str]]
    only_municipality: list[int]
    only_statistics: list[str]


def _differs(person: dict[str, object], record: dict[str, object]) -> tuple[str, ...]:
    found = []
    if (person["given_name"], person["family_name"]) != (
        record["given_name"],
        record["family_name"],
    ):
        found.append("name")
    if person["birth_date"] != record["birth_date"]:
        found.append("birth_date")
    if (person["postcode"], person["house_number"]) != (record["postcode"], record["house_number"]):
        found.append("address")
    return tuple(found)


def _choose(
    compared: pl.DataFrame,
    in_both: pl.DataFrame,
    right: pl.DataFrame,
    missed: pl.DataFrame,
    records: pl.DataFrame,
    clients: set[int],
) -> _Choice:
    """Ten people for the toy tables, picked from the real outcomes to show every case: links
    on the key (some despite a typo), links Splink found without a key, a person Splink missed,
    and people in only one source. Bijstand clients first, as the game is about them."""
    people = {r["person_id"]: r for r in compared.rows(named=True)}
    by_record = {r["record_id"]: r for r in records.rows(named=True)}
    linked = [
        (int(r["left_id"]), str(r["right_id"]))
        for r in right.sort("right_id").rows(named=True)
        if by_record[r["right_id"]]["bsn"] is not None
    ]

    def order(pair: tuple[int, str]) -> tuple[bool, bool]:
        varies = bool(_differs(people[pair[0]], by_record[pair[1]]))
        return (pair[0] not in clients, not varies)

    linked.sort(key=order)
    splink = [p for p in linked if _differs(people[p[0]], by_record[p[1]])][:2]
    keyed = [p for p in linked if p not in splink][:6]
    missed_rows = missed.sort("record_id").rows(named=True)
    missed_pairs = [(int(r["person_id"]), str(r["record_id"])) for r in missed_rows][:1]
    taken = {p for p, _ in keyed + splink + missed_pairs}
    in_extract = set(in_both["person_id"].to_list())
    alone = sorted(
        (p for p in people if p not in in_extract and p not in taken),
        key=lambda p: (p not in clients, p),
    )[:1]
    strangers = records.filter(
        pl.col("person_id").is_null() & (pl.col("birth_date").dt.year() < ADULT_BORN_BEFORE)
    )
    only_there = sorted(strangers["record_id"].to_list())[:1]
    return _Choice(keyed, splink, missed_pairs, alone, only_there)


def _name(row: dict[str, object]) -> str:
    parts = [row["given_name"], row["name_prefix"], row["family_name"]]
    return " ".join(str(p) for p in parts if p)


def _band(age: int, bands: Sequence[tuple[int, int, str]]) -> str:
    return next(label for low, high, label in bands if low <= age < high)


def _record(
    row: int, source: dict[str, object], *, has_bsn: bool, extra: str, bsn: str | None
) -> Record:
    birth = source["birth_date"]
    return Record(
        row=row,
        name=_name(source),
        birth_date=birth if isinstance(birth, date) else None,
        address=f"{source['street'] or ''} {source['house_number'] or ''}".strip(),
        postcode=str(source["postcode"] or ""),
        bsn_end=bsn[-3:] if has_bsn and bsn else None,
        extra=extra,
        pseudonym_a=pseudonym(KEY_A, bsn) if has_bsn and bsn else None,
        pseudonym_b=pseudonym(KEY_B, bsn) if has_bsn and bsn else None,
    )


def _assemble(
    town: Population,
    compared: pl.DataFrame,
    records: pl.DataFrame,
    right: pl.DataFrame,
    wrong: pl.DataFrame,
    missed: pl.DataFrame,
    chosen: _Choice,
    clients: set[int],
) -> Game:
    people = {r["person_id"]: r for r in compared.rows(named=True)}
    by_record = {r["record_id"]: r for r in records.rows(named=True)}
    probability = {
        (int(r["left_id"]), str(r["right_id"])): float(r["match_probability"])
        for r in right.rows(named=True)
    }
    municipal_ids = [p for p, _ in chosen.keyed + chosen.splink + chosen.missed]
    municipal_ids += chosen.only_municipality
    municipal_ids.sort(key=lambda p: _name(people[p]))
    record_ids = [r for _, r in chosen.keyed + chosen.splink + chosen.missed]
    record_ids += chosen.only_statistics
    record_ids.sort(key=lambda r: str(by_record[r]["family_name"]))
    keyless = {r for _, r in chosen.splink + chosen.missed}
    m_row = {p: i + 1 for i, p in enumerate(municipal_ids)}
    s_row = {r: i + 1 for i, r in enumerate(record_ids)}
    municipality = tuple(
        _record(
            m_row[p],
            people[p],
            has_bsn=True,
            extra="yes" if p in clients else "no",
            bsn=str(people[p]["bsn"]),
        )
        for p in municipal_ids
    )
    statistics_office = tuple(
        _record(
            s_row[r],
            by_record[r],
            has_bsn=r not in keyless and by_record[r]["bsn"] is not None,
            extra=str(by_record[r]["household_type"]),
            bsn=str(by_record[r]["bsn"]) if by_record[r]["bsn"] is not None else None,
        )
        for r in record_ids
    )

    def pair(p: int, r: str, scored: bool) -> Pair:
        return Pair(
            m_row[p],
            s_row[r],
            probability.get((p, r)) if scored else None,
            True,
            _differs(people[p], by_record[r]),
        )

    linked_people = [(p, r) for p, r in chosen.keyed + chosen.splink]
    groups, wider = _k_anonymity(people, by_record, linked_people, m_row)
    return Game(
        municipality=municipality,
        statistics_office=statistics_office,
        same_pseudonym=tuple(pair(p, r, False) for p, r in chosen.keyed),
        probabilistic=tuple(pair(p, r, True) for p, r in chosen.splink),
        missed=tuple(pair(p, r, False) for p, r in chosen.missed),
        compared=compared.height,
        linkage_found=right.height + wrong.height,
        linkage_true=right.height + missed.height,
        linkage_wrong=wrong.height,
        groups=groups,
        wider_groups=wider,
        profile=_profile(compared, right, records, clients),
        table_before=_client_table(town),
        table_after=protect(_client_facts(town), ["neighbourhood", "age_band"], rules=Rules()),
        town=town.persons.height,
        clients=town.clients.height,
    )


def _k_anonymity(
    people: dict[int, dict[str, object]],
    by_record: dict[str, dict[str, object]],
    linked: list[tuple[int, str]],
    m_row: dict[int, int],
) -> tuple[tuple[Group, ...], tuple[Group, ...]]:
    rows = [
        {
            "row": m_row[p],
            "neighbourhood": str(people[p]["neighbourhood"]),
            "age": _band(int(str(people[p]["age"])), AGE_BANDS),
            "wide_age": _band(int(str(people[p]["age"])), WIDE_AGE_BANDS),
            "household": str(by_record[r]["household_type"]),
        }
        for p, r in linked
    ]
    frame = pl.DataFrame(rows)

    def grouped(columns: list[str]) -> tuple[Group, ...]:
        found = frame.group_by(columns).agg(pl.len().alias("size"), pl.col("row").sort())
        return tuple(
            Group(tuple(str(g[c]) for c in columns), int(g["size"]), tuple(g["row"]))
            for g in found.sort(["size", *columns]).rows(named=True)
        )

    return grouped(["neighbourhood", "age", "household"]), grouped(["wide_age", "household"])


def _profile(
    compared: pl.DataFrame, right: pl.DataFrame, records: pl.DataFrame, clients: set[int]
) -> tuple[Share, ...]:
    """Bijstand (the municipality's) by household type (the statistics office's), over every
    linked person: the group picture a linked dataset gives."""
    linked = (
        right.join(records.select("record_id", "household_type"), left_on="right_id",
                   right_on="record_id")
        .join(compared.select("person_id"), left_on="left_id", right_on="person_id")
        .with_columns(pl.col("left_id").is_in(list(clients)).alias("on_bijstand"))
    )  # fmt: skip
    shares = (
        linked.group_by("household_type")
        .agg(pl.len().alias("people"), pl.col("on_bijstand").sum().alias("on"))
        .sort("household_type")
    )
    found = [Share(r["household_type"], r["people"], r["on"]) for r in shares.rows(named=True)]
    return tuple(sorted(found, key=lambda s: -s.percent))


def _client_facts(town: Population) -> pl.DataFrame:
    return town.clients.join(town.persons.select("person_id", "neighbourhood", "age"),
                             on="person_id").with_columns(
        pl.when(pl.col("age") < 40).then(pl.lit("18-39")).otherwise(pl.lit("40+")).alias("age_band")
    )  # fmt: skip


def _client_table(town: Population) -> pl.DataFrame:
    facts = _client_facts(town)
    return (
        facts.group_by("neighbourhood", "age_band")
        .len("count")
        .pivot(on="age_band", index="neighbourhood", values="count")
        .fill_null(0)
        .sort("neighbourhood")
        .select("neighbourhood", "18-39", "40+")
        .with_columns((pl.col("18-39") + pl.col("40+")).alias("total"))
    )
