"""Call-flow helpers shared by the core's voice tests: a test department, its prompts, and
what a reply says, rings and records."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from frontdoor.core.calendar import Calendar, TimeRange
from frontdoor.core.department import Department, Ringing, RingStrategy
from frontdoor.core.menus import Menu
from frontdoor.core.roster import Referent, Roster, Shift
from frontdoor.core.speech import menu_hints
from frontdoor.core.voice_actions import (
    Action,
    Ask,
    Hangup,
    Next,
    RecordMessage,
    Redirect,
    Reply,
    Ring,
    Say,
)

PARIS = ZoneInfo("Europe/Paris")
TUESDAY_10H = datetime(2026, 5, 19, 10, 0, tzinfo=PARIS)
SATURDAY_10H = datetime(2026, 5, 23, 10, 0, tzinfo=PARIS)
NUMBER = "+33536490099"

# Short texts with the same keys and placeholders as templates/voice/prompts.toml.
PROMPTS = {
    "greeting": "Bonjour, $department.",
    "who_menu": "Professionnel 1, patient 2, aidant 3.",
    "who_menu_professionals_only": "Professionnel 1, particulier 2.",
    "profession_menu": "Médecin 1 … autre 6.",
    "not_understood": "Pas compris.",
    "public_not_allowed": "Réservé aux professionnels.",
    "public_orientation": "Réservé aux professionnels ; votre code postal ?",
    "public_orientation_found": "Pour le $postal :",
    "directory_postal_code": "Code postal ?",
    "directory_postal_code_invalid": "Code postal non reconnu.",
    "directory_offer_sms": "SMS : 1.",
    "goodbye": "Au revoir.",
    "connecting": "Patientez.",
    "nobody_available": "Personne n'est disponible.",
    "leave_message": "Laissez un message.",
    "no_message": "Pas de message. Au revoir.",
    "message_thanks": "Message enregistré. Au revoir.",
    "closed": "Le $department est fermé. Il rouvrira $reopening.",
    "closed_no_reopening": "Le $department est fermé.",
    "emergency": "Urgence : 15.",
    "medical_advice": "Avis médical : 116 117.",
    "whisper": "$department : appel $caller. Tapez 1.",
    "whisper_taken": "Mise en relation.",
    "speech_who": "Dites qui vous êtes.",
    "speech_profession": "Dites votre profession.",
    "speech_confirm_caller": "Un appel $caller ? Oui ou 1.",
    "speech_confirm_search": "Vous cherchez $search ? Oui ou 1.",
    "speech_use_keys": "Les touches, svp.",
}
# ...and those of the queue (core.waiting).
QUEUE_PROMPTS = {
    **PROMPTS,
    "queue_all_busy": "Tous en ligne, patientez.",
    "queue_first": "Vous êtes le prochain.",
    "queue_second": "Un appel avant le vôtre.",
    "queue_position": "$ahead appels avant le vôtre.",
    "queue_message_key": "Message : tapez 0.",
    "queue_joining": "Un référent arrive.",
}


def person(referent_id: str) -> Referent:
    return Referent(id=referent_id, name=referent_id.title(), phone="+33612000000")


def department(
    *,
    public_allowed: bool = True,
    strategy: RingStrategy = RingStrategy.SEQUENTIAL,
    backup: tuple[str, ...] = ("coordination",),
    weekly: bool = True,
) -> Department:
    """Open Monday to Friday 08:30-18:30 with amartin and bleroy on duty."""
    day = TimeRange(start=time(8, 30), end=time(18, 30))
    return Department(
        slug="dac99",
        name="DAC test",
        number=NUMBER,
        calendar=Calendar(timezone=PARIS, weekly={d: (day,) for d in range(5)} if weekly else {}),
        referents={i: person(i) for i in ("amartin", "bleroy", "coordination")},
        roster=Roster(
            shifts=(
                Shift(weekdays=frozenset(range(5)), hours=day, referent_ids=("amartin", "bleroy")),
            ),
            backup=backup,
        ),
        public_allowed=public_allowed,
        ringing=Ringing(strategy=strategy, timeout_s=20, accept_timeout_s=6),
        prompts=PROMPTS,
        max_message_s=90,
    )


LOT = department()
PROS_ONLY = department(public_allowed=False)
NOBODY = department(backup=())  # nobody on duty outside Monday-Friday, no backup list


def says(reply: Reply) -> list[str]:
    return [a.text for a in reply.actions if isinstance(a, Say)]


def codes(reply: Reply) -> list[str]:
    return [r.code for r in reply.reasons]


def ringing(reply: Reply) -> list[tuple[str, ...]]:
    return [tuple(r.id for r in a.referents) for a in reply.actions if isinstance(a, Ring)]


GREETING = Say(text="Bonjour, DAC test.")
MESSAGE_OFFER: tuple[Action, ...] = (
    Say(text="Laissez un message."),
    RecordMessage(then=Next(step="message"), max_s=90),
    Say(text="Pas de message. Au revoir."),
    Hangup(),
)


def ask_menu(level: Menu, tries: int, text: str, *, listen: bool = True) -> tuple[Action, ...]:
    """A menu as asked: heard by voice too (invited to speak first), unless keys only."""
    then = Next(step="menu", params=(("level", level.value), ("try", str(tries))))
    if not listen:
        return (Ask(prompt=text, then=then), Redirect(then=then))
    invitation = "Dites qui vous êtes." if level is Menu.WHO else "Dites votre profession."
    ask = Ask(prompt=f"{invitation} {text}", then=then, hints=menu_hints())
    return (ask, Redirect(then=then))


def first_ring(*ids: str) -> tuple[Action, ...]:
    return (
        Say(text="Patientez."),
        Ring(
            attempt=0,
            referents=tuple(person(i) for i in ids),
            timeout_s=20,
            caller_id=NUMBER,
            then=Next(step="dialed", params=(("attempt", "0"),)),
        ),
    )
