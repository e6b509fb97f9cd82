"""PostgreSQL statement triggers over transition tables, planned for the rows they get.

PL/pgSQL plans each statement of a function once per session, at its first call, and keeps
that plan for every later call. The plan of a statement over a transition table (`old_rows`,
`new_rows`) assumes as many rows as the table had at that first call. Planned on a one-row
update, a join of `old_rows` with `new_rows` is a nested loop. A later update of a thousand
rows then compares a million pairs, or a billion when such joins nest. Planned on a bulk
statement, the plan may read whole tables where one row needs an index.

So a trigger function tells the two cases apart. A statement of more than `PLANNED_ABOVE` rows
runs its SQL through EXECUTE: it is planned again for its own rows, which costs a millisecond
or two beside the work on those rows. A smaller one keeps the session's plan, made for a few
rows. Its nested loops stay within a few thousand pairs, and planning would cost more.

The functions also run with JIT compilation off. The planner overestimates these statements
(it expects a hundred elements in each JSON list), so a bulk statement of a thousand rows
passed the JIT thresholds: compiling its few hundred expressions took 5 to 8 seconds, for a
statement that then ran in 30 ms.
"""

from __future__ import annotations

from collections.abc import Sequence

# Above this many rows in its transition table, a statement is planned for its own rows.
PLANNED_ABOVE = 32


def postgres_trigger(
    name: str,
    table: str,
    event: str,
    referencing: str,
    body: str,
    *,
    only_if: Sequence[str] = (),
) -> list[str]:
    """A statement trigger `name` after `event` on `table` and its function running `body`
    (one SQL statement over the transition tables that `referencing` names, without `$sql$`,
    which quotes it for EXECUTE).

    `only_if`: queries that each find a row whenever `body` has something to write (the rows
    of an update whose columns read changed, an active subscription): when one finds none,
    the function returns before `body`, as SQLite's row triggers do by their WHEN. Every
    webhook that updates its call fires the requests' update triggers; most change no column
    a tally reads, and planning and running the body's dozen SELECTs to write nothing cost
    PostgreSQL more than the update itself."""
    rows = "old_rows" if event == "delete" else "new_rows"
    # LIMIT: whether there are more rows than PLANNED_ABOVE, without counting them all.
    many = f"(SELECT count(*) FROM (SELECT FROM {rows} LIMIT {PLANNED_ABOVE + 1}) AS counted)"
    skip = "".join(
        f"  IF NOT EXISTS ({query}) THEN\n    RETURN NULL;\n  END IF;\n" for query in only_if
    )
    return [
        f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql SET jit = off AS $$\n"
        "BEGIN\n"
        f"{skip}"
        f"  IF {many} > {PLANNED_ABOVE} THEN\n"
        f"    EXECUTE $sql$\n  {body}\n    $sql$;\n"
        f"  ELSE\n  {body};\n  END IF;\n"
        "  RETURN NULL;\nEND\n$$",
        f"CREATE TRIGGER {name} AFTER {event.upper()} ON {table} {referencing} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()",
    ]
