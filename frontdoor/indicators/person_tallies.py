"""The triggers that count persons accompanied (indicators 4 and 5) in `request_tally_changes`.

What a request counts in depends on three rows: the request (its department, arrival,
referrer type, response kinds, stated age band, problems), its links to persons
(`request_persons`), and each linked person (birth date or year, merged into whom). Triggers
on the three tables write, in the writer's transaction, the signed changes of what a
change of any of them does, with the other two read as they are: the sum of the changes
is always what the rows say now.

An accompanied request (core.accompanied.is_accompanied: any of its `response_kinds`, which
the triggers of request_responses keep, accompanies) counts
- for each person linked to it: "person.age.<rank>" and "person.problem.<problem>", whose
  value is the person (her id, or the id of the person she was merged into). A period
  counts each person once: the distinct values of its months (frontdoor.indicators.tallies);
- when no person is linked to it: as one person not identified, summed like any measure:
  "unidentified.age" (value: the rank of the band stated on the request),
  "unidentified.problem" (value: the problem), "unidentified.without_problem".

A person's age band on a request is her age on the request's UTC date, from her birth date
or year (core.accompanied.age_band_on), else the band stated on the request, else unknown;
the rank is the band's place in core.accompanied.BAND_ORDER, so that a period keeps the
highest.
"""

from __future__ import annotations

from frontdoor.core.accompanied import ACCOMPANYING_RESPONSES, BAND_FLOORS, BAND_ORDER, band_rank
from frontdoor.indicators.tally_triggers import (
    DIALECTS,
    IS_REQUEST,
    SQLITE,
    Dialect,
    postgres_changed,
)
from frontdoor.store.statement_triggers import postgres_trigger

PERSON_AGE = "person.age."  # + rank: distinct persons
PERSON_PROBLEM = "person.problem."  # + problem: distinct persons
DISTINCT_PERSONS = "person."  # what every measure counted in distinct persons starts with
UNIDENTIFIED_AGE = "unidentified.age"
UNIDENTIFIED_PROBLEM = "unidentified.problem"
UNIDENTIFIED_WITHOUT_PROBLEM = "unidentified.without_problem"

# The columns of each table the measures read: an update of others writes nothing.
REQUEST_COLUMNS = (
    "department", "received_at", "referrer_type", "response_kinds", "age_band", "problems",
)  # fmt: skip
PERSON_COLUMNS = ("birth_date", "birth_year", "merged_into")
LINK_COLUMNS = ("request_id", "person_id")

_UNLINKED = " AND NOT EXISTS (SELECT 1 FROM request_persons AS x WHERE x.request_id = {r}.id)"
_EVENTS = ("insert", "update", "delete")


def _accompanied(d: Dialect, r: str) -> str:
    """Whether request {r} is a request any of whose response kinds accompanies."""
    responses = ", ".join(f"'{code}'" for code in sorted(ACCOMPANYING_RESPONSES))
    kinds = d.list_join.format(r=r, column="response_kinds")
    return (
        f"{IS_REQUEST.format(r=r)} AND EXISTS (SELECT 1 FROM {kinds} "
        f"WHERE element.value IN ({responses}))"
    )


def _stated_rank(r: str) -> str:
    """The rank of the band stated on the request; unknown for none or anything else."""
    whens = " ".join(f"WHEN '{band.value}' THEN '{band_rank(band)}'" for band in BAND_ORDER[1:])
    return f"CASE {r}.age_band {whens} ELSE '0' END"


def _rank(d: Dialect, r: str, p: str) -> str:
    """The rank of person {p}'s band on request {r}'s UTC date."""
    at, birth = f"{r}.received_at", f"{p}.birth_date"
    year = d.year_of.format(column=at)
    before_birthday = (
        f"CASE WHEN {d.month_day_of.format(column=at)} < "
        f"{d.date_month_day_of.format(column=birth)} THEN 1 ELSE 0 END"
    )
    age = (
        f"(CASE WHEN {birth} IS NOT NULL THEN "
        f"{year} - {d.date_year_of.format(column=birth)} - {before_birthday} "
        f"WHEN {p}.birth_year IS NOT NULL THEN {year} - {p}.birth_year END)"
    )
    whens = " ".join(
        f"WHEN {age} >= {floor} THEN '{band_rank(band)}'" for floor, band in BAND_FLOORS
    )
    return f"CASE {whens} ELSE {_stated_rank(r)} END"


def _minute(d: Dialect, r: str) -> str:
    return f"({d.epoch_s.format(column=f'{r}.received_at')}) / 60"


def _with_problems(d: Dialect, rows: str, r: str) -> str:
    problems = d.list_join.format(r=r, column="problems")
    return f"{rows}, {problems}" if rows else f"FROM {problems}"


def _linked(d: Dialect, rows: str, sign: str, *, r: str = "r", p: str = "p") -> list[str]:
    """What each (request {r}, person {p}) pair of `rows` counts in, as SELECTs of
    (department, minute, measure, value, n)."""
    minute, when = _minute(d, r), _accompanied(d, r)
    person = f"CAST(coalesce({p}.merged_into, {p}.id) AS TEXT)"
    return [
        f"SELECT {r}.department, {minute}, '{PERSON_AGE}' || {_rank(d, r, p)}, {person}, "
        f"{sign} {rows} WHERE {when}",
        # A problem named twice in a request's list counts once (distinct within each pair).
        f"SELECT department, minute, '{PERSON_PROBLEM}' || value, person, n FROM (SELECT "
        f"DISTINCT {r}.id AS request_id, {p}.id AS person_id, {person} AS person, "
        f"{r}.department AS department, {minute} AS minute, CAST(element.value AS TEXT) AS "
        f"value, {sign} AS n {_with_problems(d, rows, r)} "
        f"WHERE {when} AND element.value IS NOT NULL) AS named",
    ]


def _unlinked(d: Dialect, rows: str, sign: str, where: str, *, r: str = "r") -> list[str]:
    """What each request {r} of `rows` meeting `where` counts in as one person not
    identified."""
    minute, when = _minute(d, r), _accompanied(d, r) + where.format(r=r)
    return [
        f"SELECT {r}.department, {minute}, '{UNIDENTIFIED_AGE}', {_stated_rank(r)}, {sign} "
        f"{rows} WHERE {when}",
        f"SELECT department, minute, '{UNIDENTIFIED_PROBLEM}', value, n FROM (SELECT DISTINCT "
        f"{r}.id AS request_id, {r}.department AS department, {minute} AS minute, "
        f"CAST(element.value AS TEXT) AS value, {sign} AS n {_with_problems(d, rows, r)} "
        f"WHERE {when} AND element.value IS NOT NULL) AS named",
        f"SELECT {r}.department, {minute}, '{UNIDENTIFIED_WITHOUT_PROBLEM}', '', {sign} {rows} "
        f"WHERE {when} AND {d.empty_list.format(r=r, column='problems')}",
    ]


def _insert(selects: list[str], prefix: str = "") -> str:
    union = "\n    UNION ALL ".join(selects)
    columns = "(department, minute, measure, value, n)"
    return f"{prefix}INSERT INTO request_tally_changes {columns}\n    {union}"


def _request_selects(d: Dialect, requests: str, sign: str, *, r: str = "r") -> list[str]:
    """Everything the requests of `requests` count in: "FROM new_rows AS r…", or "" for a
    SQLite trigger's NEW or OLD named {r}."""
    links = (
        f"{requests} JOIN request_persons AS rp ON rp.request_id = r.id "
        "JOIN persons AS p ON p.id = rp.person_id"
        if requests
        else "FROM request_persons AS rp JOIN persons AS p "
        f"ON p.id = rp.person_id AND rp.request_id = {r}.id"
    )
    return _linked(d, links, sign, r=r) + _unlinked(d, requests, sign, _UNLINKED, r=r)


def _link_selects(d: Dialect, old: str | None, new: str | None) -> list[str]:
    """What links removed (`old`) and added (`new`) change: the pairs themselves, and the
    requests that had no person before and have one now (or the reverse)."""
    selects: list[str] = []
    for links, sign in ((old, "-1"), (new, "1")):
        if links is not None:
            pairs = (
                f"FROM {links} AS l JOIN requests AS r ON r.id = l.request_id "
                "JOIN persons AS p ON p.id = l.person_id"
            )
            selects += _linked(d, pairs, sign)
    # Each request touched, with how many of its links were added and removed: it had
    # (now - added + removed) links before, and `now` after.
    moves = " UNION ALL ".join(
        f"SELECT request_id, {added} AS added, {removed} AS removed FROM {links}"
        for links, added, removed in ((old, 0, 1), (new, 1, 0))
        if links is not None
    )
    touched = (
        "FROM requests AS r JOIN (SELECT request_id, sum(added) AS added, sum(removed) AS "
        f"removed FROM ({moves}) AS moves GROUP BY request_id) AS touched "
        "ON touched.request_id = r.id"
    )
    now = "(SELECT count(*) FROM request_persons AS x WHERE x.request_id = r.id)"
    where = f" AND ({now} - touched.added + touched.removed = 0) <> ({now} = 0)"
    sign = f"CASE WHEN {now} > 0 THEN -1 ELSE 1 END"
    return selects + _unlinked(d, touched, sign, where)


def _person_selects(d: Dialect, persons: str, sign: str) -> list[str]:
    pairs = (
        f"{persons} JOIN request_persons AS rp ON rp.person_id = p.id "
        "JOIN requests AS r ON r.id = rp.request_id"
    )
    return _linked(d, pairs, sign)


def backfill_sql(dialect_name: str) -> list[str]:
    """Changes (+1) for every request, link and person already stored."""
    d = DIALECTS[dialect_name]
    pairs = (
        "FROM request_persons AS rp JOIN requests AS r ON r.id = rp.request_id "
        "JOIN persons AS p ON p.id = rp.person_id"
    )
    return [
        _insert(_linked(d, pairs, "1")),
        _insert(_unlinked(d, "FROM requests AS r", "1", _UNLINKED)),
    ]


def _sqlite_row(alias: str, columns: tuple[str, ...]) -> str:
    """A SQLite trigger's OLD or NEW as a one-row table, with the columns named."""
    return "(SELECT " + ", ".join(f"{alias}.{c} AS {c}" for c in columns) + ")"


def _sqlite_triggers() -> list[str]:
    d = SQLITE

    def trigger(name: str, event: str, body: list[str]) -> str:
        statements = ";\n  ".join(body)
        return f"CREATE TRIGGER tally_persons_{name} {event}\nBEGIN\n  {statements};\nEND"

    def when_changed(columns: tuple[str, ...]) -> str:
        return " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in columns)

    request_update = (
        f"AFTER UPDATE OF {', '.join(REQUEST_COLUMNS)} ON requests "
        f"WHEN {when_changed(REQUEST_COLUMNS)}"
    )
    person_update = (
        f"AFTER UPDATE OF {', '.join(PERSON_COLUMNS)} ON persons "
        f"WHEN {when_changed(PERSON_COLUMNS)}"
    )
    old_link = _sqlite_row("OLD", LINK_COLUMNS)
    new_link = _sqlite_row("NEW", LINK_COLUMNS)
    person = ("id", *PERSON_COLUMNS)
    return [
        trigger("requests_insert", "AFTER INSERT ON requests",
                [_insert(_request_selects(d, "", "1", r="NEW"))]),
        trigger("requests_update", request_update, [
            _insert(_request_selects(d, "", "-1", r="OLD")),
            _insert(_request_selects(d, "", "1", r="NEW")),
        ]),
        trigger("requests_delete", "AFTER DELETE ON requests",
                [_insert(_request_selects(d, "", "-1", r="OLD"))]),
        trigger("request_persons_insert", "AFTER INSERT ON request_persons",
                [_insert(_link_selects(d, None, new_link))]),
        trigger("request_persons_update",
                f"AFTER UPDATE OF {', '.join(LINK_COLUMNS)} ON request_persons",
                [_insert(_link_selects(d, old_link, new_link))]),
        trigger("request_persons_delete", "AFTER DELETE ON request_persons",
                [_insert(_link_selects(d, old_link, None))]),
        trigger("persons_update", person_update, [
            _insert(_person_selects(d, f"FROM {_sqlite_row('OLD', person)} AS p", "-1")),
            _insert(_person_selects(d, f"FROM {_sqlite_row('NEW', person)} AS p", "1")),
        ]),
    ]  # fmt: skip


def _postgres_triggers() -> list[str]:
    d = DIALECTS["postgresql"]
    old, new = "REFERENCING OLD TABLE AS old_rows", "REFERENCING NEW TABLE AS new_rows"
    both = "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows"
    changed_requests = f"WITH changed AS ({postgres_changed(REQUEST_COLUMNS)})\n  "
    changed_persons = f"WITH changed AS ({postgres_changed(PERSON_COLUMNS)})\n  "
    of_changed = "AS r JOIN changed ON changed.id = r.id"
    person_of_changed = "AS p JOIN changed ON changed.id = p.id"
    # An update writes only for the rows whose columns read changed (its `changed`).
    only_if = {
        ("requests", "update"): postgres_changed(REQUEST_COLUMNS),
        ("persons", "update"): postgres_changed(PERSON_COLUMNS),
    }
    bodies = {
        ("requests", "insert"): (new, _insert(_request_selects(d, "FROM new_rows AS r", "1"))),
        ("requests", "update"): (both, _insert(
            _request_selects(d, f"FROM old_rows {of_changed}", "-1")
            + _request_selects(d, f"FROM new_rows {of_changed}", "1"),
            changed_requests,
        )),
        ("requests", "delete"): (old, _insert(_request_selects(d, "FROM old_rows AS r", "-1"))),
        ("request_persons", "insert"): (new, _insert(_link_selects(d, None, "new_rows"))),
        ("request_persons", "update"): (both, _insert(_link_selects(d, "old_rows", "new_rows"))),
        ("request_persons", "delete"): (old, _insert(_link_selects(d, "old_rows", None))),
        ("persons", "update"): (both, _insert(
            _person_selects(d, f"FROM old_rows {person_of_changed}", "-1")
            + _person_selects(d, f"FROM new_rows {person_of_changed}", "1"),
            changed_persons,
        )),
    }  # fmt: skip
    return [
        statement
        for (table, event), (referencing, body) in bodies.items()
        for statement in postgres_trigger(
            f"tally_persons_{table}_{event}", table, event, referencing, body,
            only_if=[only_if[table, event]] if (table, event) in only_if else [],
        )
    ]  # fmt: skip


_TRIGGERS = (
    [("requests", event) for event in _EVENTS]
    + [("request_persons", event) for event in _EVENTS]
    + [("persons", "update")]
)


def trigger_ddl(dialect_name: str) -> list[str]:
    if dialect_name == "sqlite":
        return _sqlite_triggers()
    if dialect_name == "postgresql":
        return _postgres_triggers()
    raise ValueError(f"no person tally triggers for {dialect_name}")


def drop_ddl(dialect_name: str) -> list[str]:
    names = [(table, f"tally_persons_{table}_{event}") for table, event in _TRIGGERS]
    if dialect_name == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {name}" for _, name in names]
    return [f"DROP TRIGGER IF EXISTS {name} ON {table}" for table, name in names] + [
        f"DROP FUNCTION IF EXISTS {name}()" for _, name in names
    ]
