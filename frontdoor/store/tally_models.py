"""The tables the indicator table reads instead of a million requests.

Every change of a request that an indicator can see is written by the database itself
(triggers, frontdoor.indicators.tally_triggers) as signed rows of `request_tally_changes`:
+1 for each measure a new request counts in, -1 then +1 when a referent corrects it. The
`indicator-tallies` job folds those rows, each minute, into `request_tallies`: one count per
department, local month, measure and value. A year of a department is then a few thousand
rows, whatever the number of requests. The measures counted in distinct persons fold apart,
into `person_tallies` (a row per person and month), and into the counts of each standard
period, `person_period_counts` (frontdoor.indicators.person_periods).
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index
from sqlmodel import Field, SQLModel


class RequestTallyChange(SQLModel, table=True):
    """One measure of one request, counted (+1) or uncounted (-1); written by triggers only."""

    __tablename__ = "request_tally_changes"
    __table_args__ = (Index("ix_request_tally_changes_department_minute", "department", "minute"),)

    id: int | None = Field(default=None, primary_key=True)
    department: str
    # Whole minutes since 1970-01-01 00:00 UTC of the request's arrival (received_at): the
    # fold turns it into the department's local month and hour of the week.
    minute: int = Field(sa_column=Column(BigInteger, nullable=False))
    measure: str  # "referrer", "channel", "problem", "request", "gp_contact"…
    # The measure's value ("gp", "voice", "medical"…); "" when it has none. For
    # "gp_contact", a GP's number or address: personal data, gone once folded to zero.
    value: str
    n: int  # +1 or -1


class RequestTally(SQLModel, table=True):
    """How many requests of a department's local month count in a measure's value."""

    __tablename__ = "request_tallies"

    department: str = Field(primary_key=True)
    month: int = Field(primary_key=True)  # local, 202610 for October 2026
    measure: str = Field(primary_key=True)  # as above, "request" folded into "hour_of_week"
    value: str = Field(primary_key=True)  # for "hour_of_week": 0 (Monday 00h) to 167
    n: int


class PersonTally(SQLModel, table=True):
    """How many accompanied requests of a department's local month count a person in a
    measure of distinct persons ("person.age.<rank>", "person.problem.<problem>"; value: the
    person's id). Apart from `request_tallies`, so that the reads of a period's tallies do not
    walk a row per person and month; read per person (frontdoor.indicators.person_periods)."""

    __tablename__ = "person_tallies"
    __table_args__ = (Index("ix_person_tallies_department_value", "department", "value"),)

    department: str = Field(primary_key=True)
    month: int = Field(primary_key=True)
    measure: str = Field(primary_key=True)
    value: str = Field(primary_key=True)
    n: int


class PersonPeriodCount(SQLModel, table=True):
    """How many distinct persons of a department's standard period count in a measure, from
    the folded tallies (frontdoor.indicators.person_periods): "person.age.<rank>" (each in
    her highest band), "person.problem.<problem>", "persons_with_problem". No person in it."""

    __tablename__ = "person_period_counts"

    department: str = Field(primary_key=True)
    period: str = Field(primary_key=True)  # "2026-10", "2026-Q4" or "2026" (Period.code)
    measure: str = Field(primary_key=True)
    n: int
