"""French words for the codes the store holds, as the console shows them."""

from __future__ import annotations

CHANNELS = {"voice": "Appel", "sms": "SMS", "mail": "Messagerie sécurisée"}

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
}

EVENTS = {
    "incoming": "Appel reçu",
    "menu": "Choix au menu",
    "ring": "Sonnerie des référents",
    "ring-ended": "Fin de sonnerie",
    "picked-up": "Décroché",
    "accepted": "Accepté (touche 1)",
    "ended": "Fin d'appel",
    "hangup": "Raccroché",
    "message": "Message proposé",
    "voicemail": "Message vocal laissé",
    "callback-task": "Rappel à faire",
    "callback-call": "Rappel lancé",
    "callback-dialled": "Personne appelée",
    "callback-closed": "Rappel clos",
    "callback-escalated": "Rappel en retard signalé",
    "referrer-corrected": "Type d'adresseur corrigé",
    "sms-in": "SMS reçu",
    "sms-answer": "Réponse par SMS",
    "sms-notified": "Référents prévenus",
    "voicemail-notified": "Référents prévenus du message vocal",
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
    "reopened": "Demande rouverte",
    "follow-up-planned": "Suivi d'orientation demandé",
    "follow-up-rescheduled": "Suivi d'orientation à relancer",
    "follow-up-closed": "Suivi d'orientation clos",
}


def label(table: dict[str, str], code: str | None, default: str = "—") -> str:
    if code is None:
        return default
    return table.get(code, code)
