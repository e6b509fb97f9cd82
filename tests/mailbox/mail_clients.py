"""Mails shaped as real clients shape them — Thunderbird, Outlook, Apple Mail, a hospital's
MSSanté webmail, a scanner, a mail server's bounce — built with the email package (headers
written exactly as those clients write them), and what reading each must find."""

from __future__ import annotations

import base64
import quopri
from dataclasses import dataclass
from email import policy
from email.message import Message

EML = policy.compat32.clone(linesep="\r\n")

PDF = b"%PDF-1.7\n\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(32))
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(40))
ZIP = b"PK\x03\x04\x14\x00\x00\x00" + bytes(range(48))
REPORT_PAGE = (
    b"<html><head><title>CR</title></head><body><h1>Compte rendu d'hospitalisation</h1>"
    b"<p>Mme X, sortie le 12/05.</p><script>alert(1)</script></body></html>\r\n"
)
NOTES = "Transmissions IDE : pansement à refaire mardi.\r\nINR jeudi.\r\n".encode()
PRESCRIPTION_LATIN_1 = "Paracétamol 1 g, 3 fois par jour.\r\n".encode("latin-1")
CDA = b'<?xml version="1.0" encoding="UTF-8"?>\r\n<ClinicalDocument xmlns="urn:hl7-org:v3"/>\r\n'


def leaf(
    content_type: str,
    data: bytes,
    *,
    cte: str = "base64",
    disposition: str | None = None,
    content_id: str | None = None,
) -> Message:
    """One part, its headers written as given, its content encoded with `cte`."""
    part = Message()
    part["Content-Type"] = content_type
    if disposition is not None:
        part["Content-Disposition"] = disposition
    if content_id is not None:
        part["Content-ID"] = content_id
    part["Content-Transfer-Encoding"] = cte
    if cte == "base64":
        payload = base64.encodebytes(data).decode()
    elif cte == "quoted-printable":
        payload = quopri.encodestring(data).decode()
    else:  # 7bit, 8bit: as they are (8-bit bytes carried through surrogates)
        payload = data.decode("ascii", "surrogateescape")
    part.set_payload(payload)
    return part


def multipart(subtype: str, *children: Message, boundary: str, params: str = "") -> Message:
    node = Message()
    node["Content-Type"] = f'multipart/{subtype}; boundary="{boundary}"{params}'
    for child in children:
        node.attach(child)
    return node


def forwarded(inner: Message, *, disposition: str | None = "attachment") -> Message:
    """A message forwarded as an attachment (message/rfc822)."""
    node = Message()
    node["Content-Type"] = "message/rfc822"
    if disposition is not None:
        node["Content-Disposition"] = disposition
    node.attach(inner)
    return node


def sent(
    top: Message, *, subject: str, message_id: str, agent: str = "", sender: str = ""
) -> Message:
    """`top` as a mail: its envelope headers added."""
    top["From"] = sender or "Dr Roux <dr.roux@chu-toulouse.fr>"
    top["To"] = "contact@dac46.mssante.test"
    top["Subject"] = subject
    top["Date"] = "Tue, 12 May 2026 09:58:00 +0200"
    top["Message-ID"] = message_id
    top["MIME-Version"] = "1.0"
    if agent:
        top["User-Agent" if "Thunderbird" in agent else "X-Mailer"] = agent
    return top


def as_bytes(message: Message) -> bytes:
    return message.as_bytes(policy=EML)


def nested(depth: int) -> bytes:
    """A mail whose text is `depth` multipart/mixed deep."""
    opening = b"".join(
        b'Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n--b%d\r\n' % (n, n)
        for n in range(depth)
    )
    closing = b"".join(b"\r\n--b%d--" % n for n in reversed(range(depth)))
    return (
        b"From: Dr Roux <dr.roux@chu-toulouse.fr>\r\nMessage-ID: <deep@x>\r\n"
        + opening
        + b"Content-Type: text/plain\r\n\r\nMme X"
        + closing
        + b"\r\n"
    )


@dataclass(frozen=True)
class Expected:
    name: str | None
    content_type: str
    data: bytes | None  # None: not compared (what a server wrote)


@dataclass(frozen=True)
class ClientMail:
    id: str
    raw: bytes
    text: tuple[str, ...]  # what its text holds
    not_text: tuple[str, ...]  # what must not reach the text (attachments' contents)
    attachments: tuple[Expected, ...]


def thunderbird() -> ClientMail:
    """An HTML report, text notes and a PDF with an accented name (RFC 2231 and 2047)."""
    top = multipart(
        "mixed",
        multipart(
            "alternative",
            leaf(
                "text/plain; charset=UTF-8; format=flowed",
                cte="8bit",
                data=b"Bonjour,\r\nCi-joint le compte rendu de Mme X.\r\n",
            ),
            leaf(
                "text/html; charset=UTF-8",
                cte="8bit",
                data=b"<html><body><p>Bonjour,</p><p>Ci-joint le compte rendu.</p></body></html>",
            ),
            boundary="------------tbAlt",
        ),
        leaf(
            'text/html; charset=UTF-8; name="compte-rendu.html"',
            REPORT_PAGE,
            disposition='attachment; filename="compte-rendu.html"',
        ),
        leaf(
            'text/plain; charset=UTF-8; name="transmissions.txt"',
            NOTES,
            disposition='attachment; filename="transmissions.txt"',
        ),
        leaf(
            'application/pdf; name="=?UTF-8?Q?compte_rendu_=C3=A9t=C3=A9=2Epdf?="',
            PDF,
            disposition="attachment; filename*=UTF-8''compte%20rendu%20%C3%A9t%C3%A9.pdf",
        ),
        boundary="------------tbMixed",
    )
    return ClientMail(
        id="thunderbird",
        raw=as_bytes(
            sent(
                top,
                subject="Sortie de Mme X",
                message_id="<tb@chu-toulouse.fr>",
                agent="Mozilla/5.0 Thunderbird/128.5.0",
            )
        ),
        text=("Ci-joint le compte rendu de Mme X.",),
        not_text=("hospitalisation", "alert", "Transmissions"),
        attachments=(
            Expected("compte-rendu.html", "text/html", REPORT_PAGE),
            Expected("transmissions.txt", "text/plain", NOTES),
            Expected("compte rendu été.pdf", "application/pdf", PDF),
        ),
    )


def outlook() -> ClientMail:
    """A signature image in a multipart/related, an .htm and a .txt without charset, names
    in RFC 2047 encoded words (which RFC 2231 forbids, and Outlook writes)."""
    name = "=?iso-8859-1?Q?Ordonnance_m=E9dicaments=2Etxt?="
    top = multipart(
        "mixed",
        multipart(
            "related",
            multipart(
                "alternative",
                leaf(
                    'text/plain; charset="iso-8859-1"',
                    cte="quoted-printable",
                    data="Bonjour,\r\nVeuillez trouver le rapport de séjour.\r\n".encode("latin-1"),
                ),
                leaf(
                    'text/html; charset="iso-8859-1"',
                    cte="quoted-printable",
                    data=b'<html><body><p>Bonjour,</p><img src="cid:image001.png@01DAA1">'
                    b"</body></html>",
                ),
                boundary="_000_DB9PR01MB_",
            ),
            leaf(
                'image/png; name="image001.png"',
                PNG,
                content_id="<image001.png@01DAA1>",
                disposition='inline; filename="image001.png"; size=48; '
                'creation-date="Tue, 12 May 2026 07:58:00 GMT"',
            ),
            boundary="_003_DB9PR01MB_",
            params='; type="multipart/alternative"',
        ),
        leaf(
            'text/html; name="Rapport de sortie.htm"',
            REPORT_PAGE,
            disposition='attachment; filename="Rapport de sortie.htm"; size=140',
        ),
        leaf(
            f'text/plain; name="{name}"',
            PRESCRIPTION_LATIN_1,
            disposition=f'attachment; filename="{name}"; size=36',
        ),
        boundary="_004_DB9PR01MB_",
    )
    return ClientMail(
        id="outlook",
        raw=as_bytes(
            sent(
                top,
                subject="Rapport",
                message_id="<ol@chu-toulouse.fr>",
                agent="Microsoft Outlook 16.0",
            )
        ),
        text=("Veuillez trouver le rapport de séjour.",),
        not_text=("hospitalisation", "Paracétamol"),
        attachments=(
            Expected("image001.png", "image/png", PNG),
            Expected("Rapport de sortie.htm", "text/html", REPORT_PAGE),
            Expected("Ordonnance médicaments.txt", "text/plain", PRESCRIPTION_LATIN_1),
        ),
    )


def had_mail() -> Message:
    inner = multipart(
        "mixed",
        leaf(
            "text/plain; charset=utf-8",
            cte="8bit",
            data="Admission en HAD de Mme X prévue lundi.\r\n".encode(),
        ),
        leaf(
            'application/pdf; name="prescription.pdf"',
            PDF,
            disposition='attachment; filename="prescription.pdf"',
        ),
        boundary="had-inner",
    )
    return sent(
        inner,
        subject="Admission HAD Mme X",
        message_id="<had@had-lot.fr>",
        sender="HAD du Lot <coordination@had-lot.fr>",
    )


def outlook_forward() -> ClientMail:
    """Outlook's "forward as attachment": a message/rfc822 part, no file name."""
    inner = had_mail()
    top = multipart(
        "mixed",
        multipart(
            "alternative",
            leaf(
                "text/plain; charset=utf-8",
                cte="base64",
                data=b"Pour information, le mail de l'HAD ci-joint.\r\n",
            ),
            leaf(
                "text/html; charset=utf-8",
                cte="base64",
                data=b"<p>Pour information, le mail de l'HAD ci-joint.</p>",
            ),
            boundary="_000_fwd_",
        ),
        forwarded(inner),
        boundary="_002_fwd_",
    )
    return ClientMail(
        id="outlook-forward",
        raw=as_bytes(sent(top, subject="TR: Admission HAD Mme X", message_id="<fw@chu.fr>")),
        text=("Pour information, le mail de l'HAD ci-joint.",),
        not_text=("Admission en HAD",),
        attachments=(Expected("Admission HAD Mme X.eml", "message/rfc822", as_bytes(inner)),),
    )


def apple_mail() -> ClientMail:
    """A PDF and an image put in the text: the HTML alternative is a multipart/mixed of HTML
    pieces and inline attachments, nested in the multipart/alternative."""
    top = multipart(
        "alternative",
        leaf(
            "text/plain; charset=utf-8",
            cte="quoted-printable",
            data="Bonjour,\r\nvoici l'ordonnance et la photo de la plaie.\r\n\r\n"
            "Bien à vous\r\n".encode(),
        ),
        multipart(
            "mixed",
            leaf(
                "text/html; charset=utf-8",
                cte="quoted-printable",
                data=b"<html><body><div>Bonjour,</div><div>voici l'ordonnance</div>",
            ),
            leaf(
                'application/pdf; x-unix-mode=0644; name="Ordonnance.pdf"',
                PDF,
                disposition='inline; filename="Ordonnance.pdf"',
            ),
            leaf(
                'image/jpeg; x-unix-mode=0666; name="IMG_0042.jpg"',
                JPEG,
                disposition="inline; filename=IMG_0042.jpg",
                content_id="<5E2F@apple>",
            ),
            leaf(
                'text/plain; x-unix-mode=0644; name="notes.txt"',
                NOTES,
                cte="quoted-printable",
                disposition='inline; filename="notes.txt"',
            ),
            leaf(
                "text/html; charset=utf-8",
                cte="quoted-printable",
                data="<div>Bien à vous</div></body></html>".encode(),
            ),
            boundary="Apple-Mail=_B2D1",
        ),
        boundary="Apple-Mail=_A1C0",
    )
    return ClientMail(
        id="apple-mail",
        raw=as_bytes(
            sent(
                top,
                subject="Ordonnance",
                message_id="<am@icloud.com>",
                agent="Apple Mail (2.3774.600.62)",
            )
        ),
        text=("voici l'ordonnance et la photo de la plaie.", "Bien à vous"),
        not_text=("Transmissions",),
        attachments=(
            Expected("Ordonnance.pdf", "application/pdf", PDF),
            Expected("IMG_0042.jpg", "image/jpeg", JPEG),
            Expected("notes.txt", "text/plain", NOTES),
        ),
    )


def apple_mail_text_around() -> ClientMail:
    """Plain text only, an attachment in its middle: the text goes on after it."""
    top = multipart(
        "mixed",
        leaf("text/plain; charset=us-ascii", cte="7bit", data=b"Bonjour,\r\nla lettre :\r\n"),
        leaf(
            'application/pdf; name="Lettre.pdf"', PDF, disposition='inline; filename="Lettre.pdf"'
        ),
        leaf(
            "text/plain; charset=utf-8",
            cte="quoted-printable",
            data=b"Merci de rappeler la fille de Mme X.\r\n",
        ),
        boundary="Apple-Mail=_C3",
    )
    return ClientMail(
        id="apple-mail-text-around",
        raw=as_bytes(sent(top, subject="Lettre", message_id="<am2@icloud.com>")),
        text=("la lettre :", "Merci de rappeler la fille de Mme X."),
        not_text=(),
        attachments=(Expected("Lettre.pdf", "application/pdf", PDF),),
    )


def mssante_webmail() -> ClientMail:
    """A hospital's MSSanté webmail: HTML only, an IHE XDM archive and a CDA document, a text
    file without charset whose name is continued (RFC 2231), a file without a name."""
    top = multipart(
        "mixed",
        leaf(
            "text/html; charset=UTF-8",
            data=b"<p>Bonjour, ci-joint le document de sortie (DMP).</p>",
        ),
        leaf(
            'application/zip; name="IHE_XDM.ZIP"',
            ZIP,
            disposition='attachment; filename="IHE_XDM.ZIP"',
        ),
        leaf(
            'text/xml; charset=UTF-8; name="CDA.xml"',
            CDA,
            disposition='attachment; filename="CDA.xml"',
        ),
        leaf(
            "text/plain",
            NOTES,
            disposition="attachment; filename*0*=UTF-8''synth%C3%A8se%20de%20; "
            "filename*1*=s%C3%A9jour.txt",
        ),
        leaf("application/octet-stream", ZIP, disposition="attachment"),
        boundary="=_mssante_4f2a",
    )
    return ClientMail(
        id="mssante-webmail",
        raw=as_bytes(sent(top, subject="Document de sortie", message_id="<ms@ch-cahors.fr>")),
        text=("Bonjour, ci-joint le document de sortie (DMP).",),
        not_text=("ClinicalDocument", "Transmissions"),
        attachments=(
            Expected("IHE_XDM.ZIP", "application/zip", ZIP),
            Expected("CDA.xml", "text/xml", CDA),
            Expected("synthèse de séjour.txt", "text/plain", NOTES),
            Expected(None, "application/octet-stream", ZIP),
        ),
    )


def odd_dispositions() -> ClientMail:
    """Headers as sloppy software writes them: upper case, a semicolon missing, an empty
    Content-Disposition, none at all, a raw UTF-8 file name, a text body marked inline."""
    top = multipart(
        "mixed",
        leaf(
            "text/plain; charset=utf-8",
            cte="8bit",
            disposition="inline",
            data="Bonjour, quatre pièces.\r\n".encode(),
        ),
        leaf("application/pdf", PDF, disposition='ATTACHMENT; FILENAME="Bilan.PDF"'),
        leaf("application/pdf", PDF, disposition="attachment filename=Radio.pdf"),
        leaf('text/plain; charset=utf-8; name="consignes.txt"', NOTES, disposition=""),
        leaf("image/jpeg", JPEG),
        leaf("application/pdf", PDF, disposition='attachment; filename="RAW-NAME.pdf"'),
        boundary="odd",
    )
    raw = as_bytes(sent(top, subject="Pièces", message_id="<odd@chu.fr>"))
    return ClientMail(
        id="odd-dispositions",
        raw=raw.replace(b"RAW-NAME", "résumé".encode()),
        text=("Bonjour, quatre pièces.",),
        not_text=("Transmissions",),
        attachments=(
            Expected("Bilan.PDF", "application/pdf", PDF),
            Expected("Radio.pdf", "application/pdf", PDF),
            Expected("consignes.txt", "text/plain", NOTES),
            Expected(None, "image/jpeg", JPEG),
            Expected("résumé.pdf", "application/pdf", PDF),
        ),
    )


def scanner() -> ClientMail:
    """A copier's scan-to-mail: the whole mail is the PDF, no text."""
    top = leaf(
        'application/pdf; name="scan0001.pdf"',
        PDF,
        disposition='attachment; filename="scan0001.pdf"',
    )
    return ClientMail(
        id="scanner",
        raw=as_bytes(sent(top, subject="Numérisation", message_id="<scan@chu.fr>")),
        text=(),
        not_text=(),
        attachments=(Expected("scan0001.pdf", "application/pdf", PDF),),
    )


def signed() -> ClientMail:
    """An S/MIME signed mail (hospitals sign theirs): the signature is a file like others."""
    signature = b"0\x82\x06\x1f\x06\t*\x86H\x86\xf7\r\x01\x07\x02"
    top = multipart(
        "signed",
        multipart(
            "mixed",
            leaf(
                "text/plain; charset=utf-8",
                cte="quoted-printable",
                data=b"Lettre de liaison jointe.\r\n",
            ),
            leaf(
                'text/html; charset=utf-8; name="lettre.html"',
                REPORT_PAGE,
                disposition='attachment; filename="lettre.html"',
            ),
            boundary="signed-inner",
        ),
        leaf(
            'application/pkcs7-signature; name="smime.p7s"',
            signature,
            disposition='attachment; filename="smime.p7s"',
        ),
        boundary="signed-outer",
        params='; protocol="application/pkcs7-signature"; micalg=sha-256',
    )
    return ClientMail(
        id="smime-signed",
        raw=as_bytes(sent(top, subject="Lettre de liaison", message_id="<sig@chu.fr>")),
        text=("Lettre de liaison jointe.",),
        not_text=("hospitalisation",),
        attachments=(
            Expected("lettre.html", "text/html", REPORT_PAGE),
            Expected("smime.p7s", "application/pkcs7-signature", signature),
        ),
    )


def forwarded_in_base64() -> ClientMail:
    """A message/rfc822 sent base64-encoded (RFC 2046 forbids it; webmails do it)."""
    inner = as_bytes(had_mail())
    node = leaf(
        'message/rfc822; name="admission.eml"',
        inner,
        disposition='attachment; filename="admission.eml"',
    )
    top = multipart(
        "mixed",
        leaf("text/plain; charset=utf-8", cte="8bit", data=b"Voir le message joint.\r\n"),
        node,
        boundary="b64fwd",
    )
    return ClientMail(
        id="forwarded-in-base64",
        raw=as_bytes(sent(top, subject="Fwd", message_id="<b64@chu.fr>")),
        text=("Voir le message joint.",),
        not_text=("Admission en HAD",),
        attachments=(Expected("admission.eml", "message/rfc822", inner),),
    )


def text_attachments_in_any_charset() -> ClientMail:
    """Text files the body's strict decoding must not touch: an unknown charset, a charset
    their bytes do not fit. Kept as files; the mail is read."""
    top = multipart(
        "mixed",
        leaf("text/plain; charset=utf-8", cte="8bit", data=b"Deux fichiers texte.\r\n"),
        leaf(
            'text/plain; charset="x-mac-klingon"; name="vieux.txt"',
            PRESCRIPTION_LATIN_1,
            disposition='attachment; filename="vieux.txt"',
        ),
        leaf(
            'text/html; charset=utf-8; name="page.html"',
            PRESCRIPTION_LATIN_1,
            cte="8bit",
            disposition='attachment; filename="page.html"',
        ),
        boundary="charsets",
    )
    return ClientMail(
        id="text-attachments-any-charset",
        raw=as_bytes(sent(top, subject="Fichiers", message_id="<cs@chu.fr>")),
        text=("Deux fichiers texte.",),
        not_text=("Paracétamol",),
        attachments=(
            Expected("vieux.txt", "text/plain", PRESCRIPTION_LATIN_1),
            Expected("page.html", "text/html", PRESCRIPTION_LATIN_1),
        ),
    )


def bounce() -> ClientMail:
    """A mail server's report: its text read, the status and the returned mail kept."""
    status = Message()
    status["Content-Type"] = "message/delivery-status"
    for fields in (
        {"Reporting-MTA": "dns; mx.chu.fr"},
        {"Final-Recipient": "rfc822; x@y.fr", "Action": "failed", "Status": "5.1.1"},
    ):
        block = Message()
        for name, value in fields.items():
            block[name] = value
        status.attach(block)
    top = multipart(
        "report",
        leaf(
            "text/plain; charset=us-ascii",
            cte="7bit",
            data=b"This is the mail system at host mx.chu.fr.\r\n"
            b"Your message could not be delivered.\r\n",
        ),
        status,
        forwarded(had_mail(), disposition=None),
        boundary="report",
        params="; report-type=delivery-status",
    )
    return ClientMail(
        id="bounce",
        raw=as_bytes(
            sent(
                top,
                subject="Undelivered Mail Returned to Sender",
                message_id="<bounce@mx.chu.fr>",
                sender="MAILER-DAEMON@mx.chu.fr",
            )
        ),
        text=("Your message could not be delivered.",),
        not_text=("Admission en HAD",),
        attachments=(
            Expected(None, "message/delivery-status", None),
            Expected("Admission HAD Mme X.eml", "message/rfc822", as_bytes(had_mail())),
        ),
    )


CLIENT_MAILS = (
    thunderbird(),
    outlook(),
    outlook_forward(),
    apple_mail(),
    apple_mail_text_around(),
    mssante_webmail(),
    odd_dispositions(),
    scanner(),
    signed(),
    forwarded_in_base64(),
    text_attachments_in_any_charset(),
    bounce(),
)
