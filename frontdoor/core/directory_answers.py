"""A directory search answered in French: by SMS (two segments at most) and by voice."""

from __future__ import annotations

from collections.abc import Sequence

from frontdoor.core.directory_search import DirectoryQuery, Hit
from frontdoor.core.spoken import spoken_phone
from frontdoor.core.taxonomy import CATEGORIES

# GSM 03.38: the basic set (one septet each) and the extension table (two septets each).
_GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM_EXTENDED = frozenset("^{}\\[~]|€\f")
# French letters outside GSM-7 written as a phone would (one ê makes the whole SMS UCS-2,
# with 67 characters per segment instead of 153).
_TO_GSM = str.maketrans(
    {"â": "a", "ê": "e", "ë": "e", "î": "i", "ï": "i", "ô": "o", "û": "u", "ç": "c",
     "À": "A", "Â": "A", "È": "E", "Ê": "E", "Î": "I", "Ô": "O", "Û": "U", "œ": "oe",
     "Œ": "OE", "’": "'", "«": '"', "»": '"', "–": "-", "—": "-", "\u00a0": " "}
)  # fmt: skip
SMS_MAX_SEGMENTS = 2


def gsm7_septets(text: str) -> int | None:
    """Septets the text takes in GSM-7, or None when it needs UCS-2."""
    total = 0
    for char in text:
        if char in _GSM_BASIC:
            total += 1
        elif char in _GSM_EXTENDED:
            total += 2
        else:
            return None
    return total


def sms_segments(text: str) -> int:
    """How many SMS segments the text is sent as (160/153 GSM-7, 70/67 UCS-2)."""
    septets = gsm7_septets(text)
    if septets is None:
        units = len(text.encode("utf-16-le")) // 2
        return 1 if units <= 70 else -(-units // 67)
    return 1 if septets <= 160 else -(-septets // 153)


def to_gsm7(text: str) -> str:
    """French text with the letters GSM-7 lacks replaced ("Saint-Céré" keeps its é)."""
    out = text.translate(_TO_GSM)
    return "".join(c if c in _GSM_BASIC or c in _GSM_EXTENDED else "?" for c in out)


def _where(query: DirectoryQuery) -> str:
    if query.commune:
        return f" près de {query.commune.title()}"
    if query.postal_code:
        return f" près du {query.postal_code}"
    return ""


def _sms_line(number: int, hit: Hit) -> str:
    resource = hit.resource
    phone = resource.phones[0] if resource.phones else "pas de numéro"
    place = resource.commune_name or ""
    text = f"{number}. {resource.name}"
    if place and place.lower() not in resource.name.lower():
        text += f", {place}"
    return f"{text} : {_national(phone)}"


def _national(phone: str) -> str:
    """ "+33565341200" → "05 65 34 12 00"; anything else as given."""
    if phone.startswith("+33") and len(phone) == 12 and phone[1:].isdigit():
        digits = "0" + phone[3:]
        return " ".join(digits[i : i + 2] for i in range(0, 10, 2))
    return phone


def sms_answer(hits: Sequence[Hit], query: DirectoryQuery) -> str:
    """The answer to an SMS query, in GSM-7 and at most two segments (306 characters).

    Hits that would not fit are left out, the last one kept is shortened if need be.
    """
    what = CATEGORIES[query.category].short if query.category else "Ressources"
    if not hits:
        text = (
            f"Aucun résultat pour « {query.text.strip()} ». Écrivez par exemple "
            "« SSIAD 46100 » ou « clic figeac », ou appelez-nous."
        )
        return _fit(to_gsm7(text))
    header = f"{what}{_where(query)} :"
    lines = [header]
    for number, hit in enumerate(hits, start=1):
        line = to_gsm7(_sms_line(number, hit))
        candidate = "\n".join([*lines, line])
        if sms_segments(to_gsm7(candidate)) > SMS_MAX_SEGMENTS:
            if len(lines) == 1:
                lines.append(line)
            break
        lines.append(line)
    return _fit(to_gsm7("\n".join(lines)))


def _fit(text: str) -> str:
    if sms_segments(text) <= SMS_MAX_SEGMENTS:
        return text
    while sms_segments(text + "...") > SMS_MAX_SEGMENTS:
        text = text[:-1]
    return text.rstrip() + "..."


_ORDINALS = ("Premier", "Deuxième", "Troisième", "Quatrième", "Cinquième")


def spoken_answer(hits: Sequence[Hit]) -> list[str]:
    """What the voice menu says, one sentence per hit, phone numbers read in pairs."""
    if not hits:
        return ["Je n'ai trouvé aucune ressource pour cette recherche."]
    sentences = []
    for index, hit in enumerate(hits):
        resource = hit.resource
        ordinal = _ORDINALS[index] if index < len(_ORDINALS) else f"Résultat {index + 1}"
        text = f"{ordinal} résultat : {resource.name}"
        if resource.commune_name:
            text += f", à {resource.commune_name}"
        if resource.phones:
            text += f". Téléphone : {spoken_phone(resource.phones[0])}"
        else:
            text += ". Pas de numéro de téléphone connu"
        sentences.append(text + ".")
    return sentences
