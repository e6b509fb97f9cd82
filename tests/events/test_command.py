"""`frontdoor events`: subscribe an endpoint (the secret printed once), list, stop; an
endpoint that cannot be subscribed, an unknown department or subscription refused in French."""

from __future__ import annotations

import pytest

from frontdoor.cli import main
from tests.conftest import ROOT


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch, database_url: str) -> None:
    monkeypatch.setenv("FRONTDOOR_FLOWS_DIR", str(ROOT / "flows"))
    monkeypatch.setenv("FRONTDOOR_TEMPLATES_DIR", str(ROOT / "templates"))
    monkeypatch.setenv("FRONTDOOR_DATABASE_URL", database_url)


def test_an_endpoint_is_subscribed_listed_and_stopped(
    environment: None, capsys: pytest.CaptureFixture[str]
) -> None:
    url = "https://partenaire.example.fr/hooks"
    assert main(["events", "subscribe", "dac46", url, "--type", "request.closed"]) == 0
    made = capsys.readouterr().out.splitlines()
    assert made[0] == "abonnement n° 1 créé ; son secret (affiché une seule fois) :"
    assert made[1].startswith("whsec_")

    assert main(["events", "list", "dac46"]) == 0
    listed = capsys.readouterr().out
    assert listed == (
        f"1\t{url}\trequests:summary\trequest.closed\tactif\t"
        "0 livré(s), 0 en attente, 0 abandonné(s), 0 annulé(s)\n"
    )
    assert made[1] not in listed

    assert main(["events", "stop", "dac46", "1"]) == 0
    assert capsys.readouterr().out == "abonnement n° 1 arrêté\n"
    assert main(["events", "list", "dac46"]) == 0
    assert "\tarrêté\t" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["subscribe", "dac46", "http://partenaire.example.fr/"], "doit commencer par https://"),
        (["subscribe", "dac99", "https://partenaire.example.fr/"], "département inconnu : dac99"),
        (["stop", "dac46", "7"], "abonnement introuvable : 7"),
    ],
    ids=["plain-http-elsewhere", "unknown-department", "unknown-subscription"],
)
def test_mistakes_are_explained_in_french(
    environment: None, capsys: pytest.CaptureFixture[str], argv: list[str], says: str
) -> None:
    assert main(["events", *argv]) == 2

    assert says in capsys.readouterr().err


def test_another_departments_subscription_cannot_be_stopped(
    environment: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["events", "subscribe", "dac57", "https://partenaire.example.fr/"]) == 0

    assert main(["events", "stop", "dac46", "1"]) == 2
    assert main(["events", "list", "dac57"]) == 0
    assert "\tactif\t" in capsys.readouterr().out
