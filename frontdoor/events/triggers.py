"""The triggers that fill `outgoing_events`, for SQLite and PostgreSQL.

Whatever creates, changes or closes a request — the batch writer of incoming calls, an SMS,
the mailbox, a referent in the console or the API — and whatever records a callback task as
overdue (its escalation), the database itself writes one event per active subscription of the
department that asked for its type, in the same transaction: nothing in the application has
to remember it, as with the indicator tallies (frontdoor.indicators.tally_triggers).

A request counts as updated when a column an integrator follows changes (`FOLLOWED`); a
change to "closed" is `request.closed` instead. The instant of an event is the request's
arrival, its closing, the task's escalation; for an update, the database's clock.

Changing what the triggers do needs a migration that drops and recreates them.
"""

from __future__ import annotations

from frontdoor.core.events import EventType
from frontdoor.indicators.tally_triggers import postgres_changed
from frontdoor.store.statement_triggers import postgres_trigger

# The columns of a request whose change is an event.
FOLLOWED = (
    "status",
    "referrer_type",
    "outcome",
    "assigned_to",
    "problems",
    "response_kinds",
    "age_band",
    "callback_needed",
    "repeat_of",
    "taken_by",
)
_COLUMNS = (
    "subscription_id, department, event_type, request_id, task_id, occurred_at, status, attempts"
)
_NOW = "CURRENT_TIMESTAMP"
_NAMES = ("events_requests_insert", "events_requests_update", "events_tasks_overdue")
_TABLES = ("requests", "requests", "callback_tasks")


def _subscribed(r: str, kind: str, *, postgres: bool) -> str:
    """Whether `s` is an active subscription of the row {r}'s department to the event type
    `kind` (SQL expressions): its JSON list of types names it."""
    types = "s.event_types::text" if postgres else "s.event_types"
    return (
        f"s.department = {r}.department AND s.disabled_at IS NULL "
        f"AND {types} LIKE '%\"' || {kind} || '\"%'"
    )


def _sqlite_triggers() -> list[str]:
    changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in FOLLOWED)
    closing = "NEW.status = 'closed' AND OLD.status IS NOT 'closed'"
    kind = (
        f"CASE WHEN {closing} THEN '{EventType.REQUEST_CLOSED}' "
        f"ELSE '{EventType.REQUEST_UPDATED}' END"
    )
    at = f"CASE WHEN {closing} THEN coalesce(NEW.closed_at, {_NOW}) ELSE {_NOW} END"
    created = f"'{EventType.REQUEST_CREATED}'"
    overdue = f"'{EventType.TASK_OVERDUE}'"
    return [
        f"CREATE TRIGGER events_requests_insert AFTER INSERT ON requests\nBEGIN\n"
        f"  INSERT INTO outgoing_events ({_COLUMNS})\n"
        f"  SELECT s.id, NEW.department, {created}, NEW.id, NULL, NEW.received_at, 'pending', 0"
        f"\n  FROM event_subscriptions AS s WHERE {_subscribed('NEW', created, postgres=False)};"
        "\nEND",
        f"CREATE TRIGGER events_requests_update AFTER UPDATE OF {', '.join(FOLLOWED)} "
        f"ON requests WHEN {changed}\nBEGIN\n"
        f"  INSERT INTO outgoing_events ({_COLUMNS})\n"
        f"  SELECT s.id, NEW.department, {kind}, NEW.id, NULL, {at}, 'pending', 0"
        f"\n  FROM event_subscriptions AS s WHERE {_subscribed('NEW', kind, postgres=False)};\nEND",
        "CREATE TRIGGER events_tasks_overdue AFTER UPDATE OF escalated_at ON callback_tasks "
        "WHEN OLD.escalated_at IS NULL AND NEW.escalated_at IS NOT NULL\nBEGIN\n"
        f"  INSERT INTO outgoing_events ({_COLUMNS})\n"
        f"  SELECT s.id, NEW.department, {overdue}, NEW.request_id, NEW.id, NEW.escalated_at, "
        "'pending', 0\n  FROM event_subscriptions AS s "
        f"WHERE {_subscribed('NEW', overdue, postgres=False)};\nEND",
    ]


def _postgres_triggers() -> list[str]:
    created = f"'{EventType.REQUEST_CREATED}'"
    overdue = f"'{EventType.TASK_OVERDUE}'"
    insert = (
        f"INSERT INTO outgoing_events ({_COLUMNS})\n  "
        f"SELECT s.id, r.department, {created}, r.id, NULL, r.received_at, 'pending', 0 "
        "FROM new_rows AS r JOIN event_subscriptions AS s "
        f"ON {_subscribed('r', created, postgres=True)}"
    )
    kinds = (
        "SELECT n.id, CASE WHEN n.status = 'closed' AND o.status IS DISTINCT FROM 'closed' "
        f"THEN '{EventType.REQUEST_CLOSED}' ELSE '{EventType.REQUEST_UPDATED}' END AS kind "
        "FROM old_rows AS o JOIN new_rows AS n ON n.id = o.id "
        f"WHERE n.id IN ({postgres_changed(FOLLOWED)})"
    )
    update = (
        f"WITH changed AS ({kinds})\n  INSERT INTO outgoing_events ({_COLUMNS})\n  "
        "SELECT s.id, r.department, c.kind, r.id, NULL, "
        f"CASE WHEN c.kind = '{EventType.REQUEST_CLOSED}' THEN coalesce(r.closed_at, now()) "
        "ELSE now() END, 'pending', 0 "
        "FROM new_rows AS r JOIN changed AS c ON c.id = r.id "
        f"JOIN event_subscriptions AS s ON {_subscribed('r', 'c.kind', postgres=True)}"
    )
    escalated = (
        f"INSERT INTO outgoing_events ({_COLUMNS})\n  "
        f"SELECT s.id, r.department, {overdue}, r.request_id, r.id, r.escalated_at, 'pending', 0 "
        "FROM old_rows AS o JOIN new_rows AS r ON r.id = o.id "
        f"JOIN event_subscriptions AS s ON {_subscribed('r', overdue, postgres=True)} "
        "WHERE o.escalated_at IS NULL AND r.escalated_at IS NOT NULL"
    )
    both = "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows"
    # Most departments subscribe to nothing: then no event is written, whatever changed.
    subscribed = "SELECT 1 FROM event_subscriptions WHERE disabled_at IS NULL"
    return [
        *postgres_trigger(
            "events_requests_insert", "requests", "insert", "REFERENCING NEW TABLE AS new_rows",
            insert, only_if=[subscribed],
        ),
        *postgres_trigger(
            "events_requests_update", "requests", "update", both, update,
            only_if=[subscribed, postgres_changed(FOLLOWED)],
        ),
        *postgres_trigger(
            "events_tasks_overdue", "callback_tasks", "update", both, escalated,
            only_if=[subscribed],
        ),
    ]  # fmt: skip


def trigger_ddl(dialect_name: str) -> list[str]:
    """The statements that create the triggers (and, on PostgreSQL, their functions)."""
    if dialect_name == "sqlite":
        return _sqlite_triggers()
    if dialect_name == "postgresql":
        return _postgres_triggers()
    raise ValueError(f"no event triggers for {dialect_name}")


def drop_ddl(dialect_name: str) -> list[str]:
    if dialect_name == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {name}" for name in _NAMES]
    return [
        f"DROP TRIGGER IF EXISTS {name} ON {table}"
        for name, table in zip(_NAMES, _TABLES, strict=True)
    ] + [f"DROP FUNCTION IF EXISTS {name}()" for name in _NAMES]
