"""A referent marks a request a repeat of an earlier one of the same situation: the requests
of the same caller or the same persons in the last 30 days are proposed, a number may be
typed; each change traced and journaled, refused in French when the rule says no; a person's
page shows each repeat under the request it repeats."""

from __future__ import annotations

from urllib.parse import unquote

from aiohttp.test_utils import TestClient
from sqlmodel import col, select

from frontdoor.settings import Settings
from frontdoor.store.db import create_engine, session_maker
from frontdoor.store.models import AuditEvent, RequestEvent
from tests.console.conftest import LOT_REFERENT, MOSELLE_REFERENT, sign_in
from tests.console.repeats_made import a_request, stored_in_order
from tests.console.requests_made import the_request


async def reasons_of(settings: Settings, request_id: int) -> list[str]:
    engine = create_engine(settings.database_url)
    async with session_maker(engine)() as session:
        events = await session.exec(
            select(RequestEvent)
            .where(RequestEvent.request_id == request_id)
            .order_by(col(RequestEvent.id))
        )
        texts = [reason["text"] for event in events.all() for reason in event.reasons]
    await engine.dispose()
    return texts


async def audited(settings: Settings) -> list[tuple[int | None, str]]:
    engine = create_engine(settings.database_url)
    async with session_maker(engine)() as session:
        rows = (await session.exec(select(AuditEvent).order_by(col(AuditEvent.id)))).all()
    await engine.dispose()
    return [(row.request_id, row.action) for row in rows]


async def test_the_same_callers_and_persons_requests_of_30_days_are_proposed_and_one_chosen(
    client: TestClient, wired_settings: Settings
) -> None:
    same_caller, too_old, same_person, other_department, today = await stored_in_order(
        wired_settings,
        a_request(10),
        a_request(40),
        a_request(5, number="+33698765432"),
        a_request(3, department="dac57"),
        a_request(0),
        about=[2, 4],
    )
    browser = await sign_in(client, LOT_REFERENT)

    page = await (await browser.get(f"/console/demandes/{today}")).text()
    chosen = await browser.post(
        f"/console/demandes/{today}/repetition", {"repeat_of": str(same_caller)}
    )

    proposed = {same_caller, too_old, same_person, other_department}
    assert {i for i in proposed if f'name="repeat_of" value="{i}"' in page} == {
        same_caller, same_person,
    }  # fmt: skip
    assert chosen.status == 303
    assert chosen.headers["Location"].endswith(f"/console/demandes/{today}#repetition")
    assert (await the_request(wired_settings, today)).repeat_of == same_caller
    assert (
        f"marquée par anne.martin@dac46.fr comme répétition de la demande n°{same_caller} "
        "(comptée une seule fois comme sollicitation)"
    ) in await reasons_of(wired_settings, today)
    assert (await audited(wired_settings))[-1] == (today, "repeat")
    page = await (await browser.get(f"/console/demandes/{today}")).text()
    assert f'Répétition de la <a href="/console/demandes/{same_caller}">' in page
    earlier = await (await browser.get(f"/console/demandes/{same_caller}")).text()
    assert f'Répétée par : <a href="/console/demandes/{today}">' in earlier


async def test_a_number_typed_is_taken_and_clearing_makes_it_a_sollicitation_again(
    client: TestClient, wired_settings: Settings
) -> None:
    unrelated, today = await stored_in_order(
        wired_settings, a_request(60, number="+33698765432"), a_request(0)
    )
    browser = await sign_in(client, LOT_REFERENT)

    await browser.post(f"/console/demandes/{today}/repetition", {"repeat_of": f"n°{unrelated}"})
    marked = (await the_request(wired_settings, today)).repeat_of
    await browser.post(f"/console/demandes/{today}/repetition", {"repeat_of": ""})

    assert marked == unrelated
    assert (await the_request(wired_settings, today)).repeat_of is None
    assert (await reasons_of(wired_settings, today))[-1] == (
        f"n'est plus marquée comme répétition de la demande n°{unrelated} "
        "(par anne.martin@dac46.fr)"
    )


async def test_a_repeat_the_rule_refuses_is_said_in_french_and_changes_nothing(
    client: TestClient, wired_settings: Settings
) -> None:
    other_department, today, later = await stored_in_order(
        wired_settings, a_request(3, department="dac57"), a_request(1), a_request(0)
    )
    browser = await sign_in(client, LOT_REFERENT)

    errors = []
    for typed in (str(other_department), str(later), str(today), "douze", "999999"):
        answer = await browser.post(f"/console/demandes/{today}/repetition", {"repeat_of": typed})
        assert answer.status == 303
        errors.append(unquote(answer.headers["Location"].split("erreur=")[1]))

    assert [error.split("#")[0] for error in errors] == [
        "demande répétée introuvable dans ce département",
        "une demande ne peut répéter qu'une demande reçue avant elle",
        "une demande ne peut pas être la répétition d'elle-même",
        "numéro de la demande répétée attendu (par exemple 1234)",
        "demande répétée introuvable dans ce département",
    ]
    assert (await the_request(wired_settings, today)).repeat_of is None


async def test_another_departments_referent_cannot_mark_a_repeat(
    client: TestClient, wired_settings: Settings
) -> None:
    earlier, today = await stored_in_order(wired_settings, a_request(2), a_request(0))
    browser = await sign_in(client, MOSELLE_REFERENT)

    answer = await browser.post(
        f"/console/demandes/{today}/repetition", {"repeat_of": str(earlier)}
    )

    assert answer.status == 404
    assert (await the_request(wired_settings, today)).repeat_of is None


async def test_a_persons_page_shows_each_repeat_under_the_request_it_repeats(
    client: TestClient, wired_settings: Settings
) -> None:
    first, second, again = await stored_in_order(
        wired_settings, a_request(9), a_request(5, number="+33698765432"), a_request(1),
        about=[0, 1, 2],
    )  # fmt: skip
    browser = await sign_in(client, LOT_REFERENT)
    await browser.post(f"/console/demandes/{again}/repetition", {"repeat_of": str(first)})

    page = await (await browser.get("/console/personnes-concernees/1")).text()

    assert (
        page.index(f"Demande n° {first}<")
        < page.index(f"Demande n° {again}<")
        < page.index(f"Demande n° {second}<")
    )
    assert f"répétition de la demande n° {first}" in page
