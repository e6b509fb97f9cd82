"""The triggers that write `request_tally_changes`, for SQLite and PostgreSQL, from one table.

Whatever writes a request — a webhook, the mailbox, a referent in the console, the retention
purge, a replayed journal, a bulk COPY — the database itself records what the change does to
each indicator, in the same transaction: nothing in the application has to remember it.

`MEASURES` is the list of what a request counts in: a measure, its value, and when it
counts. SQLite gets row triggers (NEW and OLD); PostgreSQL gets statement triggers over
transition tables, so that a COPY of a million rows writes its changes in one statement.
An update that changes none of the columns read here writes nothing on SQLite, and nothing
but an empty join on PostgreSQL.

Changing the measures needs a migration that drops the triggers, recreates them and rebuilds
the tallies from the requests (`backfill_sql`, then the fold).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from frontdoor.core.indicators import NOT_A_REQUEST

# The columns of `requests` the measures read: an update of any other writes no change.
COLUMNS_READ = (
    "department", "received_at", "referrer_type", "response_type", "age_band", "channel",
    "outcome", "out_of_hours", "problems", "answered_at", "caller_number", "contact_address",
)  # fmt: skip

_NOT_A_REQUEST = ", ".join(f"'{code}'" for code in sorted(NOT_A_REQUEST))
_IS_REQUEST = "{r}.referrer_type NOT IN (" + _NOT_A_REQUEST + ")"
_IS_VOICE_REQUEST = _IS_REQUEST + " AND {r}.channel = 'voice'"
_GP_CONTACT = "coalesce({r}.caller_number, {r}.contact_address)"


@dataclass(kw_only=True, frozen=True)
class Measure:
    name: str
    value: str  # SQL over the row {r}; '' where the measure has no value
    counts: str  # SQL condition over {r}: whether the row counts in it


# What frontdoor.core.indicators.DepartmentCounts needs, measure by measure. Every contact
# counts by referrer type; the rest counts requests only (wrong numbers, silent calls and
# tests set apart). "request" becomes the local hour of the week when folded.
MEASURES: tuple[Measure, ...] = (
    Measure(name="referrer", value="{r}.referrer_type", counts="1 = 1"),
    Measure(name="response", value="coalesce({r}.response_type, '')", counts=_IS_REQUEST),
    Measure(name="age_band", value="coalesce({r}.age_band, '')", counts=_IS_REQUEST),
    Measure(name="channel", value="{r}.channel", counts=_IS_REQUEST),
    Measure(name="voice_outcome", value="{r}.outcome", counts=_IS_VOICE_REQUEST),
    Measure(name="out_of_hours", value="''", counts=_IS_REQUEST + " AND {r}.out_of_hours"),
    Measure(name="request", value="''", counts=_IS_REQUEST),
    Measure(
        name="wait",
        value="CAST({answered_s} - {received_s} AS TEXT)",
        counts=_IS_VOICE_REQUEST + " AND {r}.answered_at IS NOT NULL",
    ),
    Measure(
        name="gp_contact",
        value=_GP_CONTACT,
        counts="{r}.referrer_type = 'gp' AND " + _GP_CONTACT + " IS NOT NULL",
    ),
    Measure(name="without_problem", value="''", counts=_IS_REQUEST + " AND {no_problem}"),
)


@dataclass(kw_only=True, frozen=True)
class _Dialect:
    """How each database says the few things the measures need."""

    epoch_s: str  # whole seconds since 1970 (UTC) of a timestamp column, truncated
    # The problems of {r} as rows of a one-column set named `problem`, joined to {r}.
    problems_join: str
    no_problem: str


_SQLITE = _Dialect(
    # Stored as "2026-10-05 07:00:59.999700": the fraction is cut before SQLite reads it,
    # since SQLite rounds it to the millisecond (here up to the next second).
    epoch_s="CAST(strftime('%s', substr({column}, 1, 19)) AS INTEGER)",
    problems_join=(
        "json_each(CASE WHEN json_valid({r}.problems) AND json_type({r}.problems) = 'array'"
        " THEN {r}.problems ELSE '[]' END) AS problem"
    ),
    no_problem=(
        "coalesce(CASE WHEN json_valid({r}.problems) THEN json_array_length({r}.problems)"
        " END, 0) = 0"
    ),
)
_POSTGRES = _Dialect(
    epoch_s="CAST(floor(date_part('epoch', {column})) AS BIGINT)",
    problems_join=(
        "json_array_elements_text(CASE WHEN json_typeof({r}.problems) = 'array'"
        " THEN {r}.problems ELSE '[]'::json END) AS problem(value)"
    ),
    no_problem=(
        "coalesce(json_array_length(CASE WHEN json_typeof({r}.problems) = 'array'"
        " THEN {r}.problems END), 0) = 0"
    ),
)
_DIALECTS = {"sqlite": _SQLITE, "postgresql": _POSTGRES}


def _minute(dialect: _Dialect, r: str) -> str:
    return f"({dialect.epoch_s.format(column=f'{r}.received_at')}) / 60"


def _selects(dialect: _Dialect, r: str, sign: int, source: str) -> Iterator[str]:
    """One SELECT per measure of the rows {r} (from `source`: "" for a trigger's NEW or OLD,
    "FROM table AS r" otherwise), each row (department, minute, measure, value, n)."""
    received_s = dialect.epoch_s.format(column=f"{r}.received_at")
    answered_s = dialect.epoch_s.format(column=f"{r}.answered_at")
    no_problem = dialect.no_problem.format(r=r)
    head = f"SELECT {r}.department, {_minute(dialect, r)}"
    for measure in MEASURES:
        value = measure.value.format(r=r, received_s=received_s, answered_s=answered_s)
        counts = measure.counts.format(r=r, no_problem=no_problem)
        yield f"{head}, '{measure.name}', {value}, {sign} {source} WHERE {counts}"
    # A problem named twice in a request's list counts once (distinct within each request).
    problems = dialect.problems_join.format(r=r)
    joined = f"{source}, {problems}" if source else f"FROM {problems}"
    yield (
        f"SELECT department, minute, 'problem', value, {sign} FROM (SELECT DISTINCT "
        f"{r}.id AS request_id, {r}.department AS department, {_minute(dialect, r)} AS minute, "
        f"CAST(problem.value AS TEXT) AS value {joined} "
        f"WHERE {_IS_REQUEST.format(r=r)} AND problem.value IS NOT NULL) AS named"
    )


def _insert(dialect: _Dialect, r: str, sign: int, source: str = "") -> str:
    union = "\n    UNION ALL ".join(_selects(dialect, r, sign, source))
    return "INSERT INTO request_tally_changes (department, minute, measure, value, n)\n    " + union


def backfill_sql(dialect_name: str) -> str:
    """Changes (+1) for every request already stored: what a new database starts from."""
    dialect = _DIALECTS[dialect_name]
    return _insert(dialect, "r", 1, "FROM requests AS r")


def trigger_ddl(dialect_name: str) -> list[str]:
    """The statements that create the triggers (and, on PostgreSQL, their functions)."""
    if dialect_name == "sqlite":
        return _sqlite_triggers()
    if dialect_name == "postgresql":
        return _postgres_triggers()
    raise ValueError(f"no tally triggers for {dialect_name}")


def drop_ddl(dialect_name: str) -> list[str]:
    triggers = ("request_tallies_insert", "request_tallies_update", "request_tallies_delete")
    if dialect_name == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {name}" for name in triggers]
    return [f"DROP TRIGGER IF EXISTS {name} ON requests" for name in triggers] + [
        f"DROP FUNCTION IF EXISTS {name}()" for name in triggers
    ]


def _sqlite_triggers() -> list[str]:
    changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in COLUMNS_READ)
    return [
        "CREATE TRIGGER request_tallies_insert AFTER INSERT ON requests\nBEGIN\n  "
        + _insert(_SQLITE, "NEW", 1)
        + ";\nEND",
        f"CREATE TRIGGER request_tallies_update AFTER UPDATE OF {', '.join(COLUMNS_READ)} "
        f"ON requests WHEN {changed}\nBEGIN\n  "
        + _insert(_SQLITE, "OLD", -1)
        + ";\n  "
        + _insert(_SQLITE, "NEW", 1)
        + ";\nEND",
        "CREATE TRIGGER request_tallies_delete AFTER DELETE ON requests\nBEGIN\n  "
        + _insert(_SQLITE, "OLD", -1)
        + ";\nEND",
    ]


def _postgres_triggers() -> list[str]:
    # json has no equality: the problems are compared as their text.
    def columns(alias: str) -> str:
        return ", ".join(
            f"{alias}.{c}::text" if c == "problems" else f"{alias}.{c}" for c in COLUMNS_READ
        )

    changed = (
        "SELECT o.id FROM old_rows AS o JOIN new_rows AS n ON n.id = o.id "
        f"WHERE ROW({columns('o')}) IS DISTINCT FROM ROW({columns('n')})"
    )
    update = (
        f"WITH changed AS ({changed})\n  "
        + _insert(_POSTGRES, "r", -1, "FROM old_rows AS r JOIN changed ON changed.id = r.id")
        + "\n    UNION ALL "
        + "\n    UNION ALL ".join(
            _selects(_POSTGRES, "r", 1, "FROM new_rows AS r JOIN changed ON changed.id = r.id")
        )
    )
    bodies = {
        "request_tallies_insert": (
            "INSERT",
            "REFERENCING NEW TABLE AS new_rows",
            _insert(_POSTGRES, "r", 1, "FROM new_rows AS r"),
        ),
        "request_tallies_update": (
            "UPDATE",
            "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
            update,
        ),
        "request_tallies_delete": (
            "DELETE",
            "REFERENCING OLD TABLE AS old_rows",
            _insert(_POSTGRES, "r", -1, "FROM old_rows AS r"),
        ),
    }
    statements = []
    for name, (event, referencing, body) in bodies.items():
        statements.append(
            f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  "
            f"{body};\n  RETURN NULL;\nEND\n$$"
        )
        statements.append(
            f"CREATE TRIGGER {name} AFTER {event} ON requests {referencing} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
        )
    return statements
