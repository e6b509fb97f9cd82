"""Who counts as a person accompanied by the DAC, in which age band, for the national
indicators 4 (persons by age band) and 5 (persons by problem).

A request accompanies the persons it concerns when it is a request (not a wrong number, a
silent call or a test) and any of the responses it got (a request gets several) is more than
information: an orientation, an access to specialised resources, a one-off support, a
planning (PPCS) or a follow-up. Information only, "sans suite" and no response yet do not
count. Neither does "hors champ, réorientation" alone: the DAC found the situation outside
its mission and sent it elsewhere without taking it on, as it does for information; a
request re-oriented that also got one of the responses above counts by that one. A person
counts once in a period however many of her requests fall in it: in the age band of her
oldest known age over those requests, in every problem any of them names.

The database applies the same rules in its triggers (frontdoor.indicators.person_tallies,
generated from the tables here); a test holds both to the same answers.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from frontdoor.core.indicators import NOT_A_REQUEST
from frontdoor.core.request_fields import AgeBand, ResponseType

# The responses that accompany a person (the others: information, out of scope and
# re-oriented, "sans suite").
ACCOMPANYING_RESPONSES: frozenset[str] = frozenset(
    {
        ResponseType.ORIENTATION,
        ResponseType.SPECIALISED_RESOURCES,
        ResponseType.ONE_OFF_SUPPORT,
        ResponseType.PLANNING,
        ResponseType.FOLLOW_UP,
    }
)

# Age bands from the least to the most telling: a person seen in several bands over a period
# counts in the last one (a known age before an unknown one, the older age of a birthday
# passed during the period).
BAND_ORDER: tuple[AgeBand, ...] = (
    AgeBand.UNKNOWN,
    AgeBand.UNDER_18,
    AgeBand.FROM_18,
    AgeBand.FROM_60,
    AgeBand.FROM_75,
    AgeBand.FROM_85,
)
# The youngest age of each band, oldest first.
BAND_FLOORS: tuple[tuple[int, AgeBand], ...] = (
    (85, AgeBand.FROM_85),
    (75, AgeBand.FROM_75),
    (60, AgeBand.FROM_60),
    (18, AgeBand.FROM_18),
    (0, AgeBand.UNDER_18),
)


def is_accompanied(*, referrer_type: str, response_kinds: Iterable[str]) -> bool:
    """Whether a request counts its persons as accompanied: a request, any of whose
    responses accompanies."""
    return referrer_type not in NOT_A_REQUEST and any(
        kind in ACCOMPANYING_RESPONSES for kind in response_kinds
    )


def age_on(day: date, *, birth_date: date | None, birth_year: int | None) -> int | None:
    """Age in whole years on `day`: from the birth date, else the year's difference when
    only the year is known; None when neither is, or when the birth comes after the day."""
    if birth_date is not None:
        age = (
            day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))
        )
    elif birth_year is not None:
        age = day.year - birth_year
    else:
        return None
    return age if age >= 0 else None


def band_of_age(age: int) -> AgeBand:
    return next(band for floor, band in BAND_FLOORS if age >= floor)


def age_band_on(
    day: date, *, birth_date: date | None, birth_year: int | None, stated: str | None
) -> AgeBand:
    """A person's age band on the day of a request (its UTC date): from her birth date or
    year, else the band the referent stated on the request, else unknown."""
    age = age_on(day, birth_date=birth_date, birth_year=birth_year)
    if age is not None:
        return band_of_age(age)
    return AgeBand(stated) if stated in set(BAND_ORDER) else AgeBand.UNKNOWN


def band_rank(band: AgeBand) -> int:
    return BAND_ORDER.index(band)


def band_over_period(bands: Iterable[AgeBand]) -> AgeBand:
    """The one band of a person seen in these bands over a period."""
    return max(bands, key=band_rank, default=AgeBand.UNKNOWN)
