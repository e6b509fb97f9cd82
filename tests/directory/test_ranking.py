"""Ranking, decided without a database: coverage, then distance, then relevance; and answers."""

from __future__ import annotations

import pytest

from frontdoor.core.directory_answers import (
    gsm7_septets,
    sms_answer,
    sms_segments,
    spoken_answer,
)
from frontdoor.core.directory_search import (
    Candidate,
    CommuneRef,
    DirectoryQuery,
    distance_km,
    rank,
)
from frontdoor.core.taxonomy import Category

FIGEAC = CommuneRef(insee="46102", name="Figeac", postal_codes=("46100",), latitude=44.6086,
                    longitude=2.0317)  # fmt: skip


def ssiad(id: int, name: str, lat: float | None, lon: float | None, **kw: object) -> Candidate:
    return Candidate(
        id=id,
        name=name,
        category=Category.SSIAD,
        search_text=name.lower(),
        latitude=lat,
        longitude=lon,
        phones=("+33565341200",),
        **kw,  # type: ignore[arg-type]
    )


FAR_BUT_SERVING = ssiad(1, "ssiad du causse", 44.7808, 1.7264, serves_communes=("46102",))
NEAR_NOT_SERVING = ssiad(2, "ssiad de capdenac", 44.5786, 2.0767, commune_insee="46055")
LOCATED = ssiad(3, "ssiad de figeac", 44.6090, 2.0320, commune_insee="46102")
FARTHER = ssiad(4, "ssiad de lacapelle", 44.7283, 1.9264)
NOWHERE = ssiad(5, "ssiad sans adresse", None, None)
QUERY = DirectoryQuery(text="ssiad figeac", category=Category.SSIAD, commune="figeac")


def test_coverage_beats_distance() -> None:
    hits = rank([NEAR_NOT_SERVING, FAR_BUT_SERVING], QUERY, commune=FIGEAC, limit=3)

    assert [h.resource.id for h in hits] == [1, 2]
    assert hits[0].reason == "dessert Figeac, à 31 km"
    assert hits[1].reason == "à 5 km"


def test_located_in_the_commune_counts_as_coverage_and_the_nearest_comes_next() -> None:
    hits = rank(
        [NOWHERE, FARTHER, NEAR_NOT_SERVING, FAR_BUT_SERVING, LOCATED], QUERY, commune=FIGEAC,
        limit=5,
    )  # fmt: skip

    assert [h.resource.id for h in hits] == [3, 1, 2, 4, 5]
    assert hits[0].reason == "situé à Figeac"
    assert hits[-1].distance_km is None
    assert hits[-1].reason == ""


def test_the_limit_and_the_category_are_kept() -> None:
    other = Candidate(id=9, name="EHPAD", category=Category.EHPAD, search_text="ehpad",
                      latitude=44.6086, longitude=2.0317)  # fmt: skip
    hits = rank([other, FARTHER, LOCATED], QUERY, commune=FIGEAC, limit=1)
    assert [h.resource.id for h in hits] == [3]


def test_at_equal_distance_relevance_then_name_decides() -> None:
    a = ssiad(10, "ssiad beta", 44.6086, 2.0317)
    b = ssiad(11, "ssiad alpha", 44.6086, 2.0317)
    c = ssiad(12, "ssiad alpha nord", 44.6086, 2.0317)
    query = DirectoryQuery(text="ssiad nord", category=Category.SSIAD, terms=("nord",))

    assert [h.resource.id for h in rank([a, b, c], query, commune=FIGEAC, limit=3)] == [12]
    plain = DirectoryQuery(text="ssiad", category=Category.SSIAD)
    assert [h.resource.id for h in rank([a, c, b], plain, commune=None, limit=3)] == [11, 12, 10]


@pytest.mark.parametrize(
    ("a", "b", "km"),
    [((44.6086, 2.0317), (44.7808, 1.7264), 31.0), ((44.4475, 1.4410), (49.1193, 6.1757), 635.0)],
    ids=["figeac-gramat", "cahors-metz"],
)
def test_great_circle_distance(a: tuple, b: tuple, km: float) -> None:
    assert distance_km(*a, *b) == pytest.approx(km, rel=0.02)


@pytest.mark.parametrize(
    ("text", "septets", "segments"),
    [
        ("", 0, 1),
        ("é" * 160, 160, 1),
        ("a" * 161, 161, 2),
        ("a" * 306, 306, 2),
        ("a" * 307, 307, 3),
        ("€" * 80, 160, 1),
        ("ê", None, 1),
        ("ê" * 71, None, 2),
    ],
    ids=["empty", "160-accented", "161", "306", "307", "euro-extension", "ucs2", "ucs2-71"],
)
def test_sms_length(text: str, septets: int | None, segments: int) -> None:
    assert gsm7_septets(text) == septets
    assert sms_segments(text) == segments


def test_the_sms_answer_lists_the_hits_in_two_segments_at_most() -> None:
    hits = rank([NEAR_NOT_SERVING, FAR_BUT_SERVING, LOCATED], QUERY, commune=FIGEAC, limit=3)
    answer = sms_answer(hits, QUERY)

    assert answer.splitlines() == [
        "SSIAD près de Figeac :",
        "1. ssiad de figeac : 05 65 34 12 00",
        "2. ssiad du causse : 05 65 34 12 00",
        "3. ssiad de capdenac : 05 65 34 12 00",
    ]
    long_names = [ssiad(i, "Service de soins infirmiers à domicile " * 3, 44.6, 2.0) for i in
                  range(5)]  # fmt: skip
    long_answer = sms_answer(rank(long_names, QUERY, commune=FIGEAC, limit=5), QUERY)
    assert gsm7_septets(long_answer) is not None
    assert sms_segments(long_answer) <= 2
    assert "ê" not in sms_answer([], DirectoryQuery(text="fenêtre"))
    assert sms_segments(sms_answer([], DirectoryQuery(text="x" * 400))) <= 2


def test_the_spoken_answer_reads_numbers_in_pairs() -> None:
    hits = rank([LOCATED], QUERY, commune=FIGEAC, limit=3)
    assert spoken_answer(hits) == [
        "Premier résultat : ssiad de figeac. Téléphone : "
        "zéro cinq, soixante-cinq, trente-quatre, douze, zéro zéro."
    ]
    assert spoken_answer([]) == ["Je n'ai trouvé aucune ressource pour cette recherche."]


def test_a_resource_of_another_region_is_no_answer_to_the_nearest() -> None:
    # Saint-Avold, 39 km from Figeac's query point moved to Metz; the Lot's SSIAD is 600 km.
    metz = CommuneRef(insee="57463", name="Metz", postal_codes=("57000",), latitude=49.1193,
                      longitude=6.1757)  # fmt: skip
    near = ssiad(90, "ssiad de saint avold", 49.1047, 6.7058, commune_insee="57606")
    query = DirectoryQuery(category=Category.SSIAD, postal_code="57000")

    hits = rank([near, LOCATED], query, commune=metz, limit=3)

    assert [h.resource.id for h in hits] == [90]
