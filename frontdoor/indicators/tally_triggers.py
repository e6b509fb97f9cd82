"""The triggers that write `request_tally_changes`, for SQLite and PostgreSQL, from two tables.

Whatever writes a request or a callback task — a webhook, the mailbox, a referent in the
console, the retention purge, a replayed journal, a bulk COPY — the database itself records
what the change does to each indicator, in the same transaction: nothing in the application
has to remember it.

`SOURCES` lists, for `requests` and `callback_tasks`, what a row counts in: a measure, its
value, and when it counts. SQLite gets row triggers (NEW and OLD); PostgreSQL gets statement
triggers over transition tables, so that a COPY of a million rows writes its changes in one
statement, planned for its own rows when they are many (frontdoor.store.statement_triggers).
An update that changes none of the columns read writes nothing on SQLite, and nothing but an
empty join on PostgreSQL.

Changing the measures needs a migration that drops the triggers, recreates them and rebuilds
the tallies of the measures changed from the rows (`backfill_sql`, then the fold), as 0019
and 0030 did. A migration that creates triggers passes its own frozen copy of the sources
when they changed since (0009, 0017, 0018, 0019): the columns read today may not exist yet
when it runs.

What persons count in (indicators 4 and 5) has its own triggers: person_tallies.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from frontdoor.core.callbacks import TaskStatus
from frontdoor.core.indicators import NOT_A_REQUEST
from frontdoor.store.statement_triggers import postgres_trigger

_NOT_A_REQUEST = ", ".join(f"'{code}'" for code in sorted(NOT_A_REQUEST))
IS_REQUEST = "{r}.referrer_type NOT IN (" + _NOT_A_REQUEST + ")"
IS_VOICE_REQUEST = IS_REQUEST + " AND {r}.channel = 'voice'"
# A request not marked a repeat of another (core.repeats): a sollicitation of its own.
IS_SOLLICITATION = IS_REQUEST + " AND {r}.repeat_of IS NULL"
_GP_CONTACT = "coalesce({r}.caller_number, {r}.contact_address)"
# The JSON list columns the measures read: `{empty:column}` in a measure, compared as text on
# PostgreSQL (json has no equality).
JSON_LISTS = ("problems", "response_kinds")


@dataclass(kw_only=True, frozen=True)
class Measure:
    name: str
    value: str  # SQL over the row {r}; '' where the measure has no value
    counts: str  # SQL condition over {r}: whether the row counts in it


@dataclass(kw_only=True, frozen=True)
class Source:
    """A table whose rows count in the indicators."""

    table: str
    # The instant that places a row in a local month: a request's arrival, a task's deadline.
    placed_by: str
    # The columns the measures read: an update of any other writes no change.
    columns_read: tuple[str, ...]
    measures: tuple[Measure, ...]
    # JSON list columns whose each distinct element the row counts once in: (measure, column),
    # when the row meets `lists_count`.
    lists: tuple[tuple[str, str], ...] = ()
    lists_count: str = IS_REQUEST


# What frontdoor.core.indicators.DepartmentCounts needs, measure by measure. Every contact
# counts by referrer type, except a repeat (core.repeats): its situation is counted once, by
# the request it repeats. The national measures count sollicitations (repeats set apart); the
# load (channel, calls, out of hours, "request" — the local hour of the week once folded)
# counts every contact, repeats included; wrong numbers, silent calls and tests count only by
# referrer type. Age bands and problems are counted per person (person_tallies), not per
# request.
REQUESTS = Source(
    table="requests",
    placed_by="received_at",
    columns_read=(
        "department",
        "received_at",
        "referrer_type",
        "response_kinds",
        "channel",
        "outcome",
        "out_of_hours",
        "answered_at",
        "caller_number",
        "contact_address",
        "repeat_of",
        "queue_wait_s",
        "queue_abandoned",
    ),  # fmt: skip
    measures=(
        Measure(
            name="referrer",
            value="{r}.referrer_type",
            counts="{r}.repeat_of IS NULL OR NOT (" + IS_REQUEST + ")",
        ),
        # A sollicitation counts once in each kind of response it got (request_responses,
        # kept in its response_kinds by the database), and in "" while it has none.
        Measure(
            name="response", value="''", counts=IS_SOLLICITATION + " AND {empty:response_kinds}"
        ),
        Measure(name="repeat", value="''", counts=IS_REQUEST + " AND {r}.repeat_of IS NOT NULL"),
        Measure(name="channel", value="{r}.channel", counts=IS_REQUEST),
        Measure(name="voice_outcome", value="{r}.outcome", counts=IS_VOICE_REQUEST),
        Measure(name="out_of_hours", value="''", counts=IS_REQUEST + " AND {r}.out_of_hours"),
        Measure(name="request", value="''", counts=IS_REQUEST),
        Measure(
            name="wait",
            value="CAST({epoch:answered_at} - {epoch:received_at} AS TEXT)",
            counts=IS_VOICE_REQUEST + " AND {r}.answered_at IS NOT NULL",
        ),
        # Calls that waited in the queue (frontdoor.core.waiting), by whole seconds waited,
        # and those whose caller hung up while waiting.
        Measure(
            name="queue_wait",
            value="CAST({r}.queue_wait_s AS TEXT)",
            counts=IS_VOICE_REQUEST + " AND {r}.queue_wait_s IS NOT NULL",
        ),
        Measure(
            name="queue_abandoned",
            value="''",
            counts=IS_VOICE_REQUEST + " AND {r}.queue_abandoned",
        ),
        # Doctors who solicited the DAC, each once: a GP calling again about a situation did.
        Measure(
            name="gp_contact",
            value=_GP_CONTACT,
            counts="{r}.referrer_type = 'gp' AND " + _GP_CONTACT + " IS NOT NULL",
        ),
    ),
    lists=(("response", "response_kinds"),),
    lists_count=IS_SOLLICITATION,
)
# Callbacks due in the period, and those done by their deadline.
CALLBACK_TASKS = Source(
    table="callback_tasks",
    placed_by="due_at",
    columns_read=("department", "due_at", "status", "closed_at"),
    measures=(
        Measure(name="callback_due", value="''", counts="1 = 1"),
        Measure(
            name="callback_in_time",
            value="''",
            counts=f"{{r}}.status = '{TaskStatus.DONE.value}' AND {{r}}.closed_at <= {{r}}.due_at",
        ),
    ),
)
SOURCES = (REQUESTS, CALLBACK_TASKS)


@dataclass(kw_only=True, frozen=True)
class Dialect:
    """How each database says the few things the measures need."""

    epoch_s: str  # whole seconds since 1970 (UTC) of a timestamp column, truncated
    # The elements of the JSON list {r}.{column} as rows of a one-column set named `element`.
    list_join: str
    empty_list: str  # whether {r}.{column} holds no element
    # The UTC date of a timestamp column, or a date column, as integers: its year, its MMDD.
    year_of: str
    month_day_of: str
    date_year_of: str
    date_month_day_of: str


SQLITE = Dialect(
    # Stored as "2026-10-05 07:00:59.999700": the fraction is cut before SQLite reads it,
    # since SQLite rounds it to the millisecond (here up to the next second).
    epoch_s="CAST(strftime('%s', substr({column}, 1, 19)) AS INTEGER)",
    list_join=(
        "json_each(CASE WHEN json_valid({r}.{column}) AND json_type({r}.{column}) = 'array'"
        " THEN {r}.{column} ELSE '[]' END) AS element"
    ),
    empty_list=(
        "coalesce(CASE WHEN json_valid({r}.{column}) THEN json_array_length({r}.{column})"
        " END, 0) = 0"
    ),
    # Timestamps are stored as naive UTC text, dates as "2026-10-05": both start alike.
    year_of="CAST(substr({column}, 1, 4) AS INTEGER)",
    month_day_of="CAST(substr({column}, 6, 2) || substr({column}, 9, 2) AS INTEGER)",
    date_year_of="CAST(substr({column}, 1, 4) AS INTEGER)",
    date_month_day_of="CAST(substr({column}, 6, 2) || substr({column}, 9, 2) AS INTEGER)",
)
POSTGRES = Dialect(
    epoch_s="CAST(floor(date_part('epoch', {column})) AS BIGINT)",
    list_join=(
        "json_array_elements_text(CASE WHEN json_typeof({r}.{column}) = 'array'"
        " THEN {r}.{column} ELSE '[]'::json END) AS element(value)"
    ),
    empty_list=(
        "coalesce(json_array_length(CASE WHEN json_typeof({r}.{column}) = 'array'"
        " THEN {r}.{column} END), 0) = 0"
    ),
    year_of="CAST(date_part('year', {column} AT TIME ZONE 'UTC') AS INTEGER)",
    month_day_of=(
        "CAST(date_part('month', {column} AT TIME ZONE 'UTC') * 100"
        " + date_part('day', {column} AT TIME ZONE 'UTC') AS INTEGER)"
    ),
    date_year_of="CAST(date_part('year', {column}) AS INTEGER)",
    date_month_day_of=(
        "CAST(date_part('month', {column}) * 100 + date_part('day', {column}) AS INTEGER)"
    ),
)
DIALECTS = {"sqlite": SQLITE, "postgresql": POSTGRES}


def _sql(template: str, dialect: Dialect, r: str) -> str:
    """A measure's SQL for the row {r}: `{epoch:column}` is the column's epoch second,
    `{empty:column}` whether the JSON list column is empty."""
    for column in ("received_at", "answered_at"):
        epoch = dialect.epoch_s.format(column=f"{r}.{column}")
        template = template.replace(f"{{epoch:{column}}}", epoch)
    for column in JSON_LISTS:
        empty = dialect.empty_list.format(r=r, column=column)
        template = template.replace(f"{{empty:{column}}}", empty)
    return template.format(r=r)


def _selects(source: Source, dialect: Dialect, r: str, sign: int, rows: str) -> Iterator[str]:
    """One SELECT per measure of the rows {r} (from `rows`: "" for a trigger's NEW or OLD,
    "FROM table AS r" otherwise), each row (department, minute, measure, value, n)."""
    minute = f"({dialect.epoch_s.format(column=f'{r}.{source.placed_by}')}) / 60"
    for measure in source.measures:
        value, counts = _sql(measure.value, dialect, r), _sql(measure.counts, dialect, r)
        yield (
            f"SELECT {r}.department, {minute}, '{measure.name}', {value}, {sign} {rows} "
            f"WHERE {counts}"
        )
    for name, column in source.lists:
        # An element named twice in a row's list counts once (distinct within each row).
        elements = dialect.list_join.format(r=r, column=column)
        joined = f"{rows}, {elements}" if rows else f"FROM {elements}"
        yield (
            f"SELECT department, minute, '{name}', value, {sign} FROM (SELECT DISTINCT "
            f"{r}.id AS row_id, {r}.department AS department, {minute} AS minute, "
            f"CAST(element.value AS TEXT) AS value {joined} "
            f"WHERE {source.lists_count.format(r=r)} AND element.value IS NOT NULL) AS named"
        )


def _insert(source: Source, dialect: Dialect, r: str, sign: int, rows: str = "") -> str:
    union = "\n    UNION ALL ".join(_selects(source, dialect, r, sign, rows))
    return "INSERT INTO request_tally_changes (department, minute, measure, value, n)\n    " + union


# A migration passes the sources as they were at its revision (its own copy, when the
# measures changed since): the columns a later revision adds do not exist yet when it runs.


def backfill_sql(dialect_name: str, sources: Sequence[Source] = SOURCES) -> list[str]:
    """Changes (+1) for every row already stored: what a new database starts from."""
    dialect = DIALECTS[dialect_name]
    return [_insert(s, dialect, "r", 1, f"FROM {s.table} AS r") for s in sources]


def trigger_ddl(dialect_name: str, sources: Sequence[Source] = SOURCES) -> list[str]:
    """The statements that create the triggers (and, on PostgreSQL, their functions)."""
    if dialect_name == "sqlite":
        return [statement for s in sources for statement in _sqlite_triggers(s)]
    if dialect_name == "postgresql":
        return [statement for s in sources for statement in _postgres_triggers(s)]
    raise ValueError(f"no tally triggers for {dialect_name}")


def drop_ddl(dialect_name: str, sources: Sequence[Source] = SOURCES) -> list[str]:
    names = [(s.table, f"tally_{s.table}_{event}") for s in sources for event in _EVENTS]
    if dialect_name == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {name}" for _, name in names]
    return [f"DROP TRIGGER IF EXISTS {name} ON {table}" for table, name in names] + [
        f"DROP FUNCTION IF EXISTS {name}()" for _, name in names
    ]


_EVENTS = ("insert", "update", "delete")


def _sqlite_triggers(source: Source) -> list[str]:
    name = f"tally_{source.table}"
    changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in source.columns_read)
    return [
        f"CREATE TRIGGER {name}_insert AFTER INSERT ON {source.table}\nBEGIN\n  "
        + _insert(source, SQLITE, "NEW", 1)
        + ";\nEND",
        f"CREATE TRIGGER {name}_update AFTER UPDATE OF {', '.join(source.columns_read)} "
        f"ON {source.table} WHEN {changed}\nBEGIN\n  "
        + _insert(source, SQLITE, "OLD", -1)
        + ";\n  "
        + _insert(source, SQLITE, "NEW", 1)
        + ";\nEND",
        f"CREATE TRIGGER {name}_delete AFTER DELETE ON {source.table}\nBEGIN\n  "
        + _insert(source, SQLITE, "OLD", -1)
        + ";\nEND",
    ]


def _postgres_triggers(source: Source) -> list[str]:
    changed = postgres_changed(source.columns_read)
    old_changed = "FROM old_rows AS r JOIN changed ON changed.id = r.id"
    new_changed = "FROM new_rows AS r JOIN changed ON changed.id = r.id"
    update = (
        f"WITH changed AS ({changed})\n  "
        + _insert(source, POSTGRES, "r", -1, old_changed)
        + "\n    UNION ALL "
        + "\n    UNION ALL ".join(_selects(source, POSTGRES, "r", 1, new_changed))
    )
    bodies = {
        "insert": (
            "REFERENCING NEW TABLE AS new_rows",
            _insert(source, POSTGRES, "r", 1, "FROM new_rows AS r"),
        ),
        "update": ("REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows", update),
        "delete": (
            "REFERENCING OLD TABLE AS old_rows",
            _insert(source, POSTGRES, "r", -1, "FROM old_rows AS r"),
        ),
    }
    return [
        statement
        for event, (referencing, body) in bodies.items()
        for statement in postgres_trigger(
            f"tally_{source.table}_{event}",
            source.table,
            event,
            referencing,
            body,
            only_if=(changed,) if event == "update" else (),
        )
    ]


def postgres_changed(columns_read: Sequence[str]) -> str:
    """The ids of the rows of an update (old_rows, new_rows) whose columns read changed."""

    # json has no equality: a JSON list is compared as its text.
    def columns(alias: str) -> str:
        return ", ".join(
            f"{alias}.{c}::text" if c in JSON_LISTS else f"{alias}.{c}" for c in columns_read
        )

    return (
        "SELECT o.id FROM old_rows AS o JOIN new_rows AS n ON n.id = o.id "
        f"WHERE ROW({columns('o')}) IS DISTINCT FROM ROW({columns('n')})"
    )
