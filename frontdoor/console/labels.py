"""French words for the codes the store holds, as the console shows them.

Every code a referent could read goes through one of these tables (tests/console/
test_no_raw_codes.py renders a request of every kind and fails on a code left).
"""

from __future__ import annotations

from collections.abc import Mapping

from frontdoor.core.callbacks import OUTCOME_LABELS_FR
from frontdoor.core.channels import CHANNEL_LABELS
from frontdoor.core.referrers import REFERRERS

# One table for the console, the reports and the exports (core.channels).
CHANNELS = CHANNEL_LABELS

STATUSES = {"open": "À traiter", "closed": "Close"}

# What a correction of a directory resource changes (its page, the audit journal).
RESOURCE_FIELDS = {
    "name": "nom",
    "address": "adresse",
    "email": "adresse de messagerie",
    "website": "site",
    "hours_text": "horaires",
    "phones": "téléphones",
    "checked_at": "vérifiée le",
}

OUTCOMES = {
    "in_progress": "en cours",
    "taken": "pris par un référent",
    "voicemail": "message vocal",
    "abandoned": "raccroché avant réponse",
    "closed": "ligne fermée",
    "public_not_allowed": "public réorienté",
    "informed": "renseigné par l'annuaire",
    "forwarded": "transféré",
    "overflowed": "pris par la ligne de débordement",
}

EVENTS = {
    "incoming": "Appel reçu",
    "menu": "Choix au menu",
    "ring": "Sonnerie des référents",
    "ring-ended": "Fin de sonnerie",
    "picked-up": "Décroché",
    "accepted": "Accepté (touche 1)",
    "enqueued": "Mis en attente (référents en ligne)",
    "overflowed": "Débordement vers une ligne voisine",
    "queue-max-wait": "Attente maximale atteinte",
    "queue-message-key": "Touche 0 : message plutôt qu'attente",
    "queue-left": "Sorti de l'attente",
    "queue-offered": "Proposé à un référent libre",
    "queue-offer-declined": "Proposition refusée",
    "queue-offer-ended": "Fin de l'appel de proposition",
    "transfer-requested": "Transfert demandé",
    "transferred": "Appel transféré (pris par le correspondant)",
    "transfer-declined": "Transfert refusé par le correspondant",
    "transfer-ended": "Fin de l'appel transféré",
    "transfer-failed": "Transfert impossible chez l'opérateur",
    "transfer-consulted": "Référent en relation avec le correspondant",
    "transfer-handed-over": "Appelant passé au correspondant",
    "ended": "Fin d'appel",
    "first-step-late": "Appel connu à une étape suivante (la première non enregistrée)",
    "hangup": "Raccroché",
    "message": "Message proposé",
    "voicemail": "Message vocal laissé",
    "callback-task": "Rappel à faire",
    "callback-call": "Rappel lancé",
    "callback-dialled": "Personne appelée",
    "callback-closed": "Rappel clos",
    "callback-escalated": "Rappel en retard signalé",
    "missed-call-sms": "SMS d'appel manqué",
    "referrer-corrected": "Type d'adresseur corrigé",
    "sms-in": "SMS reçu",
    "sms-answer": "Réponse par SMS",
    "sms-notified": "Référents prévenus",
    "voicemail-notified": "Référents prévenus du message vocal",
    "mail-notified": "Référents prévenus du courriel",
    "sms-directory": "Réponse de l'annuaire par SMS",
    "keyword": "Mot-clé SMS",
    "opted-in": "Réinscription aux SMS",
    "help": "Aide SMS",
    "acknowledgement": "Accusé de réception",
    "unreadable-notice": "Avis de message illisible",
    "mail-in": "Courriel reçu",
    "mail-answer": "Réponse par messagerie sécurisée",
    "mail-attachments": "Pièces jointes",
    "mail-linked": "Demande liée",
    "answer": "Réponse",
    "directory-query": "Question à l'annuaire",
    "directory-answer": "Réponse de l'annuaire",
    "classified": "Qualifiée",
    "assigned": "Attribuée",
    "note": "Note",
    "non-opposition": "Non-opposition recueillie",
    "closed": "Demande close",
    "entered": "Demande entrée à la main",
    "reopened": "Demande rouverte",
    "follow-up-planned": "Suivi d'orientation demandé",
    "follow-up-rescheduled": "Suivi d'orientation à relancer",
    "follow-up-closed": "Suivi d'orientation clos",
    "journaled": "Reçue pendant une panne de la base (journal)",
    "response-added": "Réponse enregistrée",
    "response-removed": "Réponse retirée",
    "directory-postal": "Annuaire : code postal saisi",
    "directory-category": "Annuaire : catégorie choisie",
    "directory-sms": "Annuaire : envoi par SMS",
    "orientation-postal": "Orientation du public : code postal saisi",
    "orientation-sms": "Orientation du public : envoi par SMS",
    "directory-later": "Réponse de l'annuaire différée",
    "informed": "Renseigné par l'annuaire",
    "auto-closed": "Demande close automatiquement",
    "coordination-file": "Transmise au dossier de coordination",
    "coordination-file-refused": "Transmission au dossier de coordination refusée",
    "coordination-file-failed": "Transmission au dossier de coordination échouée",
}

# Where a request's referrer type came from, until a referent confirms it.
REFERRER_SOURCES = {
    "menu": "choix au menu",
    "known_contact": "contact connu",
    "domain": "domaine de l'adresse",
    "none": "par défaut",
    "referent": "confirmé par un référent",
}

# A message's delivery, as far as Frontdoor knows it (sms/answers.py, mailbox/outbox.py).
MESSAGE_STATUSES = {
    "received": "reçu",
    "replied": "envoyé",
    "sending": "en cours d'envoi",
    "queued": "envoyé",
    "sent": "envoyé",
    "delivered": "remis",
    "failed": "non envoyé (échec)",
    "undelivered": "non remis (échec)",
}

CALLBACK_OUTCOMES: dict[str, str] = {code.value: text for code, text in OUTCOME_LABELS_FR.items()}
REFERRER_TYPES: dict[str, str] = {code.value: info.label for code, info in REFERRERS.items()}
# A mail of the outbox (mailbox/outbox.py), as the rights page lists it.
OUTBOX_STATUSES = {"queued": "à envoyer", "sent": "envoyé", "failed": "non envoyé (échec)"}
TASK_STATUSES = {"open": "à faire", "done": "fait"}


def label(table: Mapping[str, str], code: str | None, default: str = "—") -> str:
    if code is None:
        return default
    return table.get(code, code)


def message_title(channel: str, direction: str, status: str | None) -> str:
    """ "SMS reçu", "SMS envoyé", "SMS non envoyé (échec)"…"""
    if direction == "in":
        return f"{label(CHANNELS, channel)} reçu"
    return f"{label(CHANNELS, channel)} {MESSAGE_STATUSES.get(status or '', 'envoyé')}"


def name_of(names: Mapping[str, str], who: str | None, default: str = "personne") -> str:
    """A referent's or an account's name rather than their id or login."""
    if not who:
        return default
    return names.get(who, "Frontdoor" if who == "frontdoor" else who)
