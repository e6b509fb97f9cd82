"""The Alembic revisions build exactly the schema the models describe."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, inspect, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlmodel import SQLModel

import frontdoor.store.models  # noqa: F401
from frontdoor.directory.search_schema import include_object
from frontdoor.indicators.tally_triggers import backfill_sql
from frontdoor.store.db import create_engine
from frontdoor.store.migrate import alembic_config, upgrade

AT = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


async def test_the_migrated_schema_matches_the_models(database_url: str) -> None:
    engine = create_engine(database_url)
    async with engine.connect() as connection:
        differences = await connection.run_sync(
            lambda sync: compare_metadata(
                MigrationContext.configure(sync, opts={"include_object": include_object}),
                SQLModel.metadata,
            )
        )
    await engine.dispose()

    assert differences == []


async def at_revision(revision: str, tmp_path: Path, postgres_database: str | None) -> AsyncEngine:
    """An engine on a database of its own (the session's PostgreSQL one emptied, or a new
    SQLite file) migrated up to `revision` only."""
    url = postgres_database or f"sqlite+aiosqlite:///{tmp_path / 'before.sqlite3'}"
    engine = create_engine(url)
    async with engine.begin() as connection:
        if postgres_database:
            await connection.execute(text("DROP SCHEMA public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
        await connection.run_sync(lambda sync: command.upgrade(alembic_config(sync), revision))
    return engine


async def insert_request(connection: AsyncConnection, **columns: object) -> int:
    """A request row as an earlier revision stored it (raw SQL: the models are newer)."""
    row: dict[str, object] = {
        "department": "dac46", "channel": "voice", "referrer_type": "unknown",
        "referrer_source": "none", "outcome": "in_progress", "out_of_hours": False,
        "callback_needed": False, "attempts": 0, "status": "open", "received_at": AT,
        "problems": "[]", **columns,
    }  # fmt: skip
    names = ", ".join(row)
    values = ", ".join(f":{name}" for name in row)
    statement = text(f"INSERT INTO requests ({names}) VALUES ({values}) RETURNING id")
    return int((await connection.execute(statement, row)).scalar_one())


async def tallied(connection: AsyncConnection, measure: str) -> dict[str, int]:
    """What the tally triggers counted so far in a measure, by value (nothing folded)."""
    rows = await connection.execute(
        text("SELECT value, sum(n) FROM request_tally_changes WHERE measure = :m GROUP BY value"),
        {"m": measure},
    )
    return {value: int(n) for value, n in rows if n}


async def test_an_upgrade_to_per_department_messages_keeps_every_message_under_its_department(
    tmp_path: Path, postgres_database: str | None
) -> None:
    """0013: messages stored before it get their request's department, none is lost, and the
    Message-ID one department holds no longer stops another from storing it."""
    engine = await at_revision("0009", tmp_path, postgres_database)
    try:
        async with engine.begin() as connection:
            for department in ("dac46", "dac57"):
                request_id = (
                    await connection.execute(
                        text(
                            "INSERT INTO requests (department, channel, referrer_type, "
                            "referrer_source, outcome, out_of_hours, callback_needed, attempts, "
                            "status, received_at, problems) VALUES (:d, 'mail', 'unknown', "
                            "'none', 'in_progress', false, false, 0, 'open', :at, '[]') "
                            "RETURNING id"
                        ),
                        {"d": department, "at": AT},
                    )
                ).scalar_one()
                await connection.execute(
                    text(
                        "INSERT INTO messages (request_id, channel, direction, provider_id, at) "
                        "VALUES (:r, 'mail', 'in', :p, :at)"
                    ),
                    {"r": request_id, "p": f"<before@{department}>", "at": AT},
                )

        await upgrade(engine)

        async with engine.begin() as connection:
            rows = await connection.execute(
                text("SELECT department, provider_id FROM messages ORDER BY id")
            )
            assert [tuple(row) for row in rows] == [
                ("dac46", "<before@dac46>"),
                ("dac57", "<before@dac57>"),
            ]
            request_id = (
                await connection.execute(text("SELECT id FROM requests WHERE department = 'dac57'"))
            ).scalar_one()
            await connection.execute(
                text(
                    "INSERT INTO messages (request_id, department, channel, direction, "
                    "provider_id, at) VALUES (:r, 'dac57', 'mail', 'in', '<before@dac46>', :at)"
                ),
                {"r": request_id, "at": AT},
            )
            with pytest.raises(IntegrityError):
                async with connection.begin_nested():
                    await connection.execute(
                        text(
                            "INSERT INTO messages (request_id, department, channel, direction, "
                            "provider_id, at) VALUES (:r, 'dac57', 'mail', 'in', "
                            "'<before@dac57>', :at)"
                        ),
                        {"r": request_id, "at": AT},
                    )
    finally:
        await engine.dispose()


async def test_menu_choices_nobody_confirmed_become_what_the_caller_said(
    tmp_path: Path, postgres_database: str | None
) -> None:
    """0016: "médecin" pressed in the menu was filed as a GP; unconfirmed, it becomes a doctor
    to confirm (out of the GPs' figures until a referent says which); a type a referent or a
    known contact gave stays, and every request is still counted once."""
    engine = await at_revision("0015", tmp_path, postgres_database)
    try:
        async with engine.begin() as connection:
            said = {
                await insert_request(connection, referrer_type=kind, referrer_source=source,
                                     caller_number=f"+3360000000{n}"): (kind, source)
                for n, (kind, source) in enumerate([
                    ("gp", "menu"), ("nurse", "menu"), ("other_health", "menu"),
                    ("gp", "referent"), ("gp", "known_contact"), ("hospital", "menu"),
                ])
            }  # fmt: skip
            before = await tallied(connection, "referrer")

        await upgrade(engine)

        async with engine.begin() as connection:
            rows = await connection.execute(text("SELECT id, referrer_type FROM requests"))
            now = dict(tuple(row) for row in rows)
            after = await tallied(connection, "referrer")
            gps = await tallied(connection, "gp_contact")
    finally:
        await engine.dispose()
    assert [now[request_id] for request_id in sorted(said)] == [
        "doctor_to_confirm", "nurse_to_confirm", "professional_to_confirm", "gp", "gp",
        "hospital",
    ]  # fmt: skip
    assert before == {"gp": 3, "nurse": 1, "other_health": 1, "hospital": 1}
    assert after == {"gp": 2, "doctor_to_confirm": 1, "nurse_to_confirm": 1,
                     "professional_to_confirm": 1, "hospital": 1}  # fmt: skip
    assert sum(after.values()) == sum(before.values())
    assert gps == {"+33600000003": 1, "+33600000004": 1}


async def test_each_requests_response_becomes_a_response_row_and_its_counts_stay(
    tmp_path: Path, postgres_database: str | None
) -> None:
    """0017: a request's response_type becomes its one response row (its kind, at its
    closing or arrival); the indicators count exactly what they counted before, and what
    today's triggers would count from scratch."""
    engine = await at_revision("0016", tmp_path, postgres_database)
    try:
        async with engine.begin() as connection:
            given = ["information", None, "orientation", "follow_up", None]
            ids = [
                await insert_request(connection, response_type=kind, referrer_type="gp")
                for kind in given
            ]
            await insert_request(connection, response_type="information", referrer_type="test")
            before = await tallied(connection, "response")

        await upgrade(engine)

        async with engine.begin() as connection:
            rows = await connection.execute(
                text("SELECT request_id, kind, at FROM request_responses ORDER BY request_id")
            )
            carried = [(request_id, kind) for request_id, kind, _at in rows]
            kinds = await connection.execute(text("SELECT id, response_kinds FROM requests"))
            listed = {
                request_id: value if isinstance(value, list) else json.loads(value)
                for request_id, value in kinds
            }
            after = await tallied(connection, "response")
            await connection.execute(text("DELETE FROM request_tally_changes"))
            for statement in backfill_sql(connection.dialect.name):
                await connection.execute(text(statement))
            from_scratch = await tallied(connection, "response")
    finally:
        await engine.dispose()
    assert carried[:3] == [(ids[0], "information"), (ids[2], "orientation"), (ids[3], "follow_up")]
    assert len(carried) == 4  # the test call's too: nothing is lost
    assert [listed[request_id] for request_id in ids] == [
        ["information"], [], ["orientation"], ["follow_up"], [],
    ]  # fmt: skip
    assert before == {"information": 1, "orientation": 1, "follow_up": 1, "": 2}
    assert after == before
    assert from_scratch == before


async def test_an_upgrade_to_persons_keeps_every_non_opposition_on_its_request(
    tmp_path: Path, postgres_database: str | None
) -> None:
    """0014: non-oppositions recorded per request before persons existed stay on their request
    (no person yet: nobody can say who they were about), and known contacts keep their rows."""
    engine = await at_revision("0013", tmp_path, postgres_database)
    try:
        async with engine.begin() as connection:
            request_id = await insert_request(connection, channel="mail")
            await connection.execute(
                text(
                    "INSERT INTO non_oppositions (request_id, kind, stance, recorded_by, "
                    "recorded_at) VALUES (:r, 'data_processing', 'opposed', 'claire', :at)"
                ),
                {"r": request_id, "at": AT},
            )
            await connection.execute(
                text(
                    "INSERT INTO known_contacts (department, number, name, referrer_type) "
                    "VALUES ('dac46', '+33565000001', 'Dr Martin', 'gp')"
                )
            )

        await upgrade(engine)

        async with engine.begin() as connection:
            stances = await connection.execute(
                text("SELECT request_id, person_id, kind, stance FROM non_oppositions")
            )
            assert [tuple(row) for row in stances] == [
                (request_id, None, "data_processing", "opposed")
            ]
            contacts = await connection.execute(text("SELECT name, rpps FROM known_contacts"))
            assert [tuple(row) for row in contacts] == [("Dr Martin", None)]
    finally:
        await engine.dispose()


async def test_an_upgrade_to_retention_classes_marks_pseudonymised_requests_as_emptied(
    tmp_path: Path, postgres_database: str | None
) -> None:
    """0015: a request pseudonymised before it had its messages removed at the same time (the
    single retention did both): it carries that instant as its messages' mark; the others none."""
    engine = await at_revision("0014", tmp_path, postgres_database)
    try:
        async with engine.begin() as connection:
            purged = await insert_request(connection, channel="mail")
            kept = await insert_request(connection, channel="mail")
            await connection.execute(
                text("UPDATE requests SET pseudonymised_at = :at WHERE id = :id"),
                {"at": AT, "id": purged},
            )

        await upgrade(engine)

        async with engine.begin() as connection:
            rows = await connection.execute(
                text("SELECT id, pseudonymised_at, contents_purged_at FROM requests ORDER BY id")
            )
            marks = {row[0]: (row[1] is not None, row[2] is not None) for row in rows}
            assert marks == {purged: (True, True), kept: (False, False)}
    finally:
        await engine.dispose()


async def test_an_upgrade_to_funding_by_source_keeps_the_figures_entered(
    tmp_path: Path, postgres_database: str | None
) -> None:
    """0020: a funding total entered before the split stays whole, as not split by source;
    a GP count entered is kept with the source "saisie", by whoever entered it, then."""
    engine = await at_revision("0019", tmp_path, postgres_database)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                text(
                    "INSERT INTO department_figures (department, year, staff_fte, funding_eur, "
                    "territory_gps, updated_by, updated_at) VALUES "
                    "('dac46', 2026, 4.5, 350000, 180, 'coord@dac46.fr', :at), "
                    "('dac57', 2026, 3, NULL, NULL, 'coord@dac57.fr', :at)"
                ),
                {"at": AT},
            )

        await upgrade(engine)

        async with engine.begin() as connection:
            rows = await connection.execute(
                text(
                    "SELECT department, staff_fte, funding_non_reparti, funding_ars_fir, "
                    "territory_gps, territory_gps_source, territory_gps_by "
                    "FROM department_figures ORDER BY department"
                )
            )
            assert [tuple(row) for row in rows] == [
                ("dac46", 4.5, 350_000, None, 180, "saisie", "coord@dac46.fr"),
                ("dac57", 3, None, None, None, None, None),
            ]
    finally:
        await engine.dispose()


async def test_an_upgrade_to_repeats_marks_no_request_a_repeat_and_keeps_every_count(
    tmp_path: Path, postgres_database: str | None
) -> None:
    """0018: the requests stored before it repeat nothing; they count in every measure as
    before, and as today's triggers would count them from scratch; a repeat marked after it
    leaves the sollicitations and counts as a repeat."""
    engine = await at_revision("0017", tmp_path, postgres_database)
    measures = ("referrer", "channel", "request", "repeat")
    try:
        async with engine.begin() as connection:
            first = await insert_request(connection, referrer_type="gp", response_kinds="[]")
            await insert_request(connection, referrer_type="carer", response_kinds="[]")
            await insert_request(connection, referrer_type="silent", response_kinds="[]")
            before = {m: await tallied(connection, m) for m in measures}

        await upgrade(engine)

        async with engine.begin() as connection:
            repeats = await connection.execute(
                text("SELECT count(*) FROM requests WHERE repeat_of IS NOT NULL")
            )
            marked_before = repeats.scalar_one()
            after = {m: await tallied(connection, m) for m in measures}
            await connection.execute(text("DELETE FROM request_tally_changes"))
            for statement in backfill_sql(connection.dialect.name):
                await connection.execute(text(statement))
            from_scratch = {m: await tallied(connection, m) for m in measures}
            again = await insert_request(
                connection, referrer_type="gp", response_kinds="[]", repeat_of=first
            )
            with_a_repeat = {m: await tallied(connection, m) for m in measures}
    finally:
        await engine.dispose()
    assert marked_before == 0
    assert before["referrer"] == {"gp": 1, "carer": 1, "silent": 1}
    assert after == before
    assert from_scratch == before
    assert again > first
    assert with_a_repeat["referrer"] == before["referrer"]
    assert with_a_repeat["repeat"] == {"": 1}
    assert with_a_repeat["channel"] == {"voice": 3}


async def test_outgoing_events_go_with_their_triggers_on_a_downgrade_and_come_back(
    tmp_path: Path, postgres_database: str | None
) -> None:
    """0026 down: the outbox, the log and the subscriptions go, with the triggers that wrote
    them, so a request is still stored; up again: a subscription's events are written."""
    engine = await at_revision("0026", tmp_path, postgres_database)
    subscribe = text(
        "INSERT INTO event_subscriptions (department, url, secret, scope, event_types, "
        "created_at, created_by) VALUES ('dac46', 'https://p.example/', 's', "
        """'requests:summary', '["request.created"]', :at, 'test')"""
    )
    try:
        async with engine.begin() as connection:
            await connection.run_sync(lambda sync: command.downgrade(alembic_config(sync), "0025"))
            stored_without = await insert_request(connection)
            tables = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
        await upgrade(engine)
        async with engine.begin() as connection:
            await connection.execute(subscribe, {"at": AT})
            stored_with = await insert_request(connection)
            events = await connection.execute(
                text("SELECT request_id, event_type FROM outgoing_events")
            )
            written = [tuple(row) for row in events]
    finally:
        await engine.dispose()
    assert stored_without > 0
    assert not {"event_subscriptions", "outgoing_events", "event_deliveries"} & set(tables)
    assert written == [(stored_with, "request.created")]


async def test_the_queue_columns_come_and_go_with_their_requests_and_counts_kept(
    tmp_path: Path, postgres_database: str | None
) -> None:
    """0027 adds a call's wait in the queue to `requests` (and an index of events by kind
    and time); its downgrade takes them away again: requests and their counts stay."""
    engine = await at_revision("0026", tmp_path, postgres_database)
    try:
        async with engine.begin() as connection:
            kept = await insert_request(connection, referrer_type="gp", response_kinds="[]")
            before = await tallied(connection, "referrer")

        await upgrade(engine)
        async with engine.begin() as connection:
            await connection.execute(
                text("UPDATE requests SET queue_wait_s = 42, queue_abandoned = :no WHERE id = :id"),
                {"no": False, "id": kept},
            )
            waited = (await connection.execute(text("SELECT queue_wait_s FROM requests"))).all()
        async with engine.begin() as connection:
            await connection.run_sync(lambda sync: command.downgrade(alembic_config(sync), "0026"))
            columns = await connection.run_sync(
                lambda sync: [c["name"] for c in inspect(sync).get_columns("requests")]
            )
            after = await tallied(connection, "referrer")
            ids = (await connection.execute(text("SELECT id FROM requests"))).scalars().all()
    finally:
        await engine.dispose()
    assert waited == [(42,)]
    assert "queue_wait_s" not in columns
    assert "queue_abandoned" not in columns
    assert ids == [kept]
    assert after == before


async def test_events_take_their_requests_department_on_the_upgrade_and_give_it_back(
    tmp_path: Path, postgres_database: str | None
) -> None:
    """0037 writes each stored event's department (its request's), so the line's read keeps to
    its department from the first ring after the upgrade, by an index that replaces the one by
    kind and time; a downgrade drops the column and gives the old index back."""
    engine = await at_revision("0036", tmp_path, postgres_database)
    try:
        async with engine.begin() as connection:
            lot = await insert_request(connection, call_sid="CAlot")
            moselle = await insert_request(connection, department="dac57", call_sid="CAmoselle")
            for request_id in (lot, moselle):
                await connection.execute(
                    text("INSERT INTO request_events (request_id, at, kind, reasons) "
                         "VALUES (:id, :at, 'accepted', '[]')"),
                    {"id": request_id, "at": AT},
                )  # fmt: skip

        await upgrade(engine)
        async with engine.begin() as connection:
            events = text("SELECT request_id, department FROM request_events")
            upgraded = {row[0]: row[1] for row in await connection.execute(events)}
            indexes_upgraded = await connection.run_sync(index_names)
            await connection.run_sync(lambda sync: command.downgrade(alembic_config(sync), "0036"))
            columns = await connection.run_sync(
                lambda sync: [c["name"] for c in inspect(sync).get_columns("request_events")]
            )
            indexes_downgraded = await connection.run_sync(index_names)
            # Written as 0036 writes it, the trigger gone with the column.
            await connection.execute(
                text("INSERT INTO request_events (request_id, at, kind, reasons) "
                     "VALUES (:id, :at, 'ended', '[]')"),
                {"id": lot, "at": AT},
            )  # fmt: skip
    finally:
        await engine.dispose()
    assert upgraded == {lot: "dac46", moselle: "dac57"}
    assert "department" not in columns
    assert "ix_request_events_department_kind_at" in indexes_upgraded
    assert "ix_request_events_kind_at" not in indexes_upgraded
    assert "ix_request_events_kind_at" in indexes_downgraded


def index_names(sync: Connection) -> set[str]:
    return {str(index["name"]) for index in inspect(sync).get_indexes("request_events")}


async def test_the_twilio_deletions_queue_comes_with_0038_and_goes_with_its_downgrade(
    tmp_path: Path, postgres_database: str | None
) -> None:
    """0038 adds the queue of Twilio's records to delete (erased or purged requests'), one
    row per department and SID; its downgrade drops it, the requests staying as they were."""
    engine = await at_revision("0037", tmp_path, postgres_database)
    queue = text(
        "INSERT INTO provider_deletions (department, kind, sid, queued_at, attempts, "
        "next_attempt_at) VALUES (:department, 'call', :sid, :at, 0, :at)"
    )
    try:
        async with engine.begin() as connection:
            kept = await insert_request(connection, call_sid="CA" + "1" * 32)
        await upgrade(engine)
        async with engine.begin() as connection:
            for department in ("dac46", "dac57"):  # the same SID in two departments: two rows
                await connection.execute(queue, {"department": department,
                                                 "sid": "CA" + "1" * 32, "at": AT})  # fmt: skip
        with pytest.raises(IntegrityError):
            async with engine.begin() as connection:
                await connection.execute(queue, {"department": "dac46", "sid": "CA" + "1" * 32,
                                                 "at": AT})  # fmt: skip
        async with engine.begin() as connection:
            await connection.run_sync(lambda sync: command.downgrade(alembic_config(sync), "0037"))
            tables = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
            ids = (await connection.execute(text("SELECT id FROM requests"))).scalars().all()
    finally:
        await engine.dispose()
    assert "provider_deletions" not in tables
    assert ids == [kept]
