"""Synthetic requests and callback tasks for the indicators benchmark, from one seed.

A year (2026) of two departments' contacts: the Lot (60 %) and Moselle (40 %), both in
Europe/Paris. Mixes as a DAC sees them: mostly phone calls in office hours on weekdays, a
fifth by secure mail, some SMS; GPs, hospitals and nurses first; most calls taken within a
minute; voicemails, abandoned and closed-line calls get a callback task due four hours
later, most done in time. Seven in ten accompanied requests name their person, about 2.5
requests a person, close in time. Numbers and addresses are made up (+33 6 99… is not attributed).
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from frontdoor.core.accompanied import is_accompanied

PARIS = ZoneInfo("Europe/Paris")
YEAR = 2026

REQUEST_COLUMNS = (
    "id", "department", "channel", "referrer_type", "referrer_source", "outcome",
    "out_of_hours", "callback_needed", "taken_by", "attempts", "duration_s", "response_kinds",
    "status", "assigned_to", "age_band", "caller_number", "contact_address", "received_at",
    "answered_at", "ended_at", "problems", "closed_at",
)  # fmt: skip
PERSON_COLUMNS = ("id", "department", "birth_date", "birth_year", "created_at", "created_by")
LINK_COLUMNS = ("request_id", "person_id", "linked_at", "linked_by")
TASK_COLUMNS = (
    "id", "request_id", "department", "created_at", "due_at", "assignees", "reasons", "status",
    "outcome", "closed_at", "calls_placed",
)  # fmt: skip

DEPARTMENTS = (("dac46", 0.6), ("dac57", 0.4))
CHANNELS = (("voice", 70), ("mail", 20), ("sms", 10))
REFERRERS = (
    ("gp", 18), ("specialist", 4), ("nurse", 10), ("pharmacist", 3), ("physio", 1),
    ("other_health", 3), ("hospital", 15), ("had", 2), ("care_home", 4), ("esms", 6),
    ("social_worker", 8), ("cpts_msp", 2), ("other_institution", 3), ("patient", 6),
    ("carer", 9), ("unknown", 4), ("wrong_number", 1), ("silent", 1), ("test", 0.2),
)  # fmt: skip
VOICE_OUTCOMES = (
    ("taken", 62), ("voicemail", 14), ("abandoned", 10), ("closed", 6), ("forwarded", 2),
    ("informed", 3), ("public_not_allowed", 2), ("in_progress", 1),
)  # fmt: skip
RESPONSES = (
    (None, 25), ("information", 30), ("orientation", 25), ("one_off_support", 12),
    ("follow_up", 6), ("none", 2),
)  # fmt: skip
AGE_BANDS = (
    (None, 35), ("0-17", 2), ("18-59", 13), ("60-74", 18), ("75-84", 20), ("85+", 10),
    ("unknown", 2),
)  # fmt: skip
PROBLEMS = ("medical", "mental_health", "autonomy", "social", "housing", "carers",
            "access_to_care", "end_of_life", "addiction", "administrative")  # fmt: skip
# Office hours carry most of the load; evenings and nights a little.
HOUR_WEIGHTS = (1, 1, 1, 1, 1, 1, 2, 6, 30, 60, 70, 65, 35, 40, 60, 62, 55, 45, 25, 8, 4, 3, 2, 1)
GPS_PER_DEPARTMENT = 900
# Of the accompanied requests, how many name their person; a person's requests come close
# together (about 2.5 each, within a few weeks).
LINKED_SHARE = 0.7
REQUESTS_PER_PERSON = 2.5


@dataclass(kw_only=True, frozen=True)
class Generated:
    requests: list[tuple[object, ...]]
    tasks: list[tuple[object, ...]]
    persons: list[tuple[object, ...]] = field(default_factory=list)
    links: list[tuple[object, ...]] = field(default_factory=list)


def _persons_and_links(
    requests: list[tuple[object, ...]], rng: random.Random, linked_share: float
) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    """Persons of each department and links from most accompanied requests to one of the
    persons met around the same time (birth date for most, year only or nothing for some)."""
    persons: list[tuple[object, ...]] = []
    links: list[tuple[object, ...]] = []
    linked: dict[str, int] = {}
    ids: dict[tuple[str, int], int] = {}
    for row in requests:
        request_id, slug, referrer, received = row[0], str(row[1]), str(row[3]), row[17]
        kinds = json.loads(str(row[11]))
        if not is_accompanied(referrer_type=referrer, response_kinds=kinds):
            continue
        if rng.random() >= linked_share:
            continue
        linked[slug] = linked.get(slug, 0) + 1
        key = (slug, int(linked[slug] / REQUESTS_PER_PERSON) + rng.randrange(40))
        if key not in ids:
            ids[key] = len(persons) + 1
            born = date(1925, 1, 1) + timedelta(days=rng.randrange(85 * 365))
            known = rng.random()
            persons.append((
                ids[key], slug, born if known < 0.8 else None,
                born.year if known < 0.9 else None, received, "bench",
            ))  # fmt: skip
        links.append((request_id, ids[key], received, "bench"))
    return persons, links


def _picker(pairs: tuple[tuple[object, float], ...], rng: random.Random) -> Iterator[object]:
    values = [v for v, _ in pairs]
    weights = [w for _, w in pairs]
    while True:
        yield from rng.choices(values, weights, k=4096)


def generate(count: int, *, seed: int = 46, linked_share: float = LINKED_SHARE) -> Generated:
    """`count` requests (ids 1..count) and their callback tasks, as column tuples in the
    order of REQUEST_COLUMNS and TASK_COLUMNS, datetimes aware in UTC."""
    rng = random.Random(seed)
    department = _picker(DEPARTMENTS, rng)
    channel = _picker(CHANNELS, rng)
    referrer = _picker(REFERRERS, rng)
    outcome = _picker(VOICE_OUTCOMES, rng)
    response = _picker(RESPONSES, rng)
    age = _picker(AGE_BANDS, rng)
    hour = _picker(tuple((h, w) for h, w in enumerate(HOUR_WEIGHTS)), rng)
    days = [date(YEAR, 1, 1) + timedelta(days=d) for d in range(365)]
    day_weights = [0.15 if d.weekday() >= 5 else 1.0 for d in days]
    # Requests are stored as they arrive: ids follow time, as in a real database.
    stamps = []
    for local_day in rng.choices(days, day_weights, k=count):
        local = datetime(local_day.year, local_day.month, local_day.day, next(hour),  # type: ignore[arg-type]
                         rng.randrange(60), rng.randrange(60), rng.randrange(1_000_000),
                         tzinfo=PARIS)  # fmt: skip
        stamps.append(local.astimezone(UTC))
    stamps.sort()
    requests: list[tuple[object, ...]] = []
    tasks: list[tuple[object, ...]] = []
    for request_id, received in enumerate(stamps, start=1):
        local = received.astimezone(PARIS)
        local_day, h = local.date(), local.hour
        slug = next(department)
        kind = next(channel)
        who = next(referrer)
        open_line = local_day.weekday() < 5 and 8 <= h < 18
        result = (
            next(outcome) if kind == "voice" else ("taken" if rng.random() < 0.9 else "in_progress")
        )
        if kind == "voice" and not open_line and result == "taken":
            result = "voicemail"
        answered = ended = None
        duration = None
        if result == "taken":
            wait = timedelta(seconds=8 + rng.expovariate(1 / 20))
            if kind != "voice":
                wait = timedelta(minutes=5 + rng.expovariate(1 / 90))
            answered = received + wait
            duration = rng.randrange(60, 900)
            ended = answered + timedelta(seconds=duration)
        if who == "gp":
            gp = rng.randrange(GPS_PER_DEPARTMENT)
            number = f"+336990{slug[-2:]}{gp:04d}"
            address = f"dr{gp}@{slug}.mssante.example" if kind == "mail" else None
        else:
            number = f"+336{rng.randrange(10**8):08d}"
            address = f"p{rng.randrange(10**6)}@example.org" if kind == "mail" else None
        callback = kind == "voice" and result in ("voicemail", "abandoned", "closed")
        problems = json.dumps(
            rng.sample(PROBLEMS, k=rng.choices((0, 1, 2, 3), (30, 40, 20, 10))[0])
        )
        closed = rng.random() < 0.7
        requests.append((
            request_id, slug, kind, who, "menu" if kind == "voice" else "known_contact", result,
            not open_line, callback, "amartin" if result == "taken" else None,
            1 if kind == "voice" else 0, duration, json.dumps([r] if (r := next(response)) else []),
            "closed" if closed else "open", None, next(age),
            number if kind != "mail" else None, address, received, answered, ended, problems,
            received + timedelta(days=rng.randrange(1, 30)) if closed else None,
        ))  # fmt: skip
        if callback:
            due = received + timedelta(hours=4)
            done = rng.random() < 0.85
            done_at = received + timedelta(minutes=rng.randrange(20, 420)) if done else None
            tasks.append((
                len(tasks) + 1, request_id, slug, received, due, "[]", "[]",
                "done" if done else "open", "reached" if done else None, done_at,
                1 if done else 0,
            ))  # fmt: skip
    persons, links = _persons_and_links(requests, rng, linked_share)
    return Generated(requests=requests, tasks=tasks, persons=persons, links=links)
