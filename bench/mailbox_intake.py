"""Mailbox intake throughput: messages per second from Dovecot into committed requests.

For each database (a temporary SQLite file; `frontdoor_bench_mail` on the PostgreSQL server,
created, migrated and dropped): a fresh mailbox on a private Dovecot (tests/fakes/dovecot.py:
TLS and client-certificate login, as an MSSanté operator), N realistic professional mails
delivered by IMAP APPEND (not timed), then `Intake.poll` in a loop, one IMAP session per poll
as `mailbox_job` opens, until nothing is left. Timed: from the first poll to the end of the
last poll that took a mail. Each poll reads the sizes, fetches its mails by chunks (one
command each), parses and threads them, commits each chunk in one transaction (requests,
messages, events, attachments written to a temporary folder, queued acknowledgements),
flags the chunk handled (one command), then sends the acknowledgements — one per new,
non-automatic request — over one SMTP connection to a local aiosmtpd sink (another process,
TLS requiring the client certificate) and marks them sent. Referents are "told" by a no-op
that counts (in production an SMS through Twilio's API). The clock is fixed on a Tuesday at
10:00 (open hours).

python bench/mailbox_intake.py [--messages 2000] [--databases sqlite postgres]
       [--tls implicit|starttls] [--batch 200] [--no-ack] [--profile]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import os
import platform
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402
from sqlalchemy import text  # noqa: E402

from frontdoor.core.department import Department  # noqa: E402
from frontdoor.core.mailbox import Mailbox, MailTls  # noqa: E402
from frontdoor.cpu import CpuProcesses  # noqa: E402
from frontdoor.department_file.load import load_departments  # noqa: E402
from frontdoor.departments import Departments  # noqa: E402
from frontdoor.mailbox.imap import ImapMailbox  # noqa: E402
from frontdoor.mailbox.intake import Intake, Notice, PollReport  # noqa: E402
from frontdoor.mailbox.job import department_mailer, imap_session  # noqa: E402
from frontdoor.mailbox.texts import mail_texts  # noqa: E402
from frontdoor.store.attachments import FolderStore  # noqa: E402
from frontdoor.store.db import create_engine, session_maker  # noqa: E402
from frontdoor.store.migrate import upgrade  # noqa: E402
from tests.fakes.dovecot import Dovecot, MailUser, dovecot_binary  # noqa: E402

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"
PG_DB = "frontdoor_bench_mail"
SEED = 46_100
AT = datetime.fromisoformat("2026-03-10T10:00:00+01:00")  # a Tuesday, open hours
TIME_LIMIT_S = 120.0
T = TypeVar("T")  # per database, intake only

# ----- Realistic mails -----

SENDERS = [  # (name, local part, domain): hospitals, clinics, MSSanté, liberal nurses, city hall
    ("Dr Claire Roux", "claire.roux", "chu-toulouse.fr"),
    ("Service social CHU", "service-social.purpan", "chu-toulouse.fr"),
    ("Dr Marc Delpech", "marc.delpech", "ch-cahors.fr"),
    ("Cadre de santé Médecine B", "cadre.medb", "ch-cahors.fr"),
    ("Dr Anne Lafon", "anne.lafon", "ch-figeac.fr"),
    ("Assistante sociale", "as.geriatrie", "ch-figeac.fr"),
    ("Clinique du Quercy", "secretariat", "clinique-quercy.fr"),
    ("Dr Paul Vidal", "paul.vidal", "medecin.mssante.fr"),
    ("Dr Sophie Marty", "sophie.marty", "medecin.mssante.fr"),
    ("Pharmacie du Lot", "pharmacie.dulot", "pharmacien.mssante.fr"),
    ("Julie Bessières IDE", "julie.bessieres", "infirmier.mssante.fr"),
    ("Cabinet infirmier Gourdon", "cabinet.ide.gourdon", "orange.fr"),
    ("Martine Cayrou", "martine.cayrou46", "gmail.com"),
    ("SSIAD de Souillac", "ssiad.souillac", "ssiad-souillac.fr"),
    ("EHPAD Les Tilleuls", "direction", "ehpad-tilleuls.fr"),
    ("CCAS de Cahors", "ccas", "mairie-cahors.fr"),
    ("Dr Luc Bouzou", "luc.bouzou", "wanadoo.fr"),
    ("HAD du Lot", "coordination", "had-lot.fr"),
    ("Conseil départemental — APA", "apa", "lot.fr"),
    ("Dr Hélène Castel", "helene.castel", "chu-toulouse.mssante.fr"),
]
SUBJECTS = [
    "Sortie d'hospitalisation de Mme {p} prévue {d}",
    "Demande d'évaluation à domicile — M. {p}",
    "Situation complexe : Mme {p}, 87 ans, isolement",
    "Retour à domicile M. {p} : besoin SSIAD et portage de repas",
    "Demande d'appui à la coordination pour Mme {p}",
    "Signalement : M. {p} en difficulté à domicile",
    "Orientation EHPAD pour Mme {p}",
    "Dossier APA de M. {p}",
    "Plan de soins Mme {p} — réunion de concertation {d}",
]
PATIENTS = ["Delmas", "Lacoste", "Besse", "Pradines", "Souladié", "Calmon", "Vayssié", "Bonnet",
            "Fabre", "Marcouly", "Lagarrigue", "Cassagne", "Andrieu", "Rigal"]  # fmt: skip
DAYS = ["vendredi", "lundi prochain", "le 14 mars", "demain", "mardi 17", "en fin de semaine"]
PARAGRAPHS = [
    "Je vous contacte au sujet de {t} {p}, hospitalisé(e) dans notre service depuis dix jours "
    "pour une décompensation cardiaque. Le retour à domicile est envisagé {d}.",
    "La personne vit seule au domicile, sans aidant proche ; sa fille habite à Toulouse et ne "
    "peut venir que le week-end. Le logement est à l'étage, sans ascenseur.",
    "Un passage infirmier deux fois par jour serait nécessaire (pansement, pilulier), ainsi "
    "qu'une aide à la toilette. Un portage de repas est à organiser.",
    "Pourriez-vous évaluer la situation et nous indiquer les intervenants possibles sur le "
    "secteur de {c} ? Le médecin traitant est informé.",
    "Vous trouverez ci-joint le compte rendu d'hospitalisation et la dernière ordonnance.",
    "Nous restons joignables au secrétariat du service du lundi au vendredi de 9 h à 17 h.",
]
COMMUNES = ["Cahors", "Figeac", "Gourdon", "Souillac", "Gramat", "Saint-Céré", "Lalbenque"]
REPLY_LINES = [
    "Merci pour votre retour. La sortie est confirmée pour {d}.",
    "Je complète ma demande : le passage de l'infirmière est prévu dès le premier jour.",
    "La famille est d'accord pour la mise en place des aides. Bien cordialement.",
    "Pouvez-vous me rappeler au sujet de cette situation ? Merci.",
]


@dataclass(kw_only=True)
class Corpus:
    raws: list[bytes] = field(default_factory=list)
    originals: int = 0  # each opens a request
    automatic: int = 0  # of which: automatic, never acknowledged
    # Senders of the others: each acknowledged once (one automatic answer a day per sender).
    acknowledged: set[str] = field(default_factory=set)
    # The sender of each original, in order: request k's is the (k-1)th on a fresh database.
    original_senders: list[tuple[str, str, str]] = field(default_factory=list)
    replies: int = 0  # join an earlier request by In-Reply-To / References
    by_reference: int = 0  # join one by "[DAC46-n]" in the subject
    with_attachment: int = 0
    html: int = 0

    @property
    def size(self) -> int:
        return sum(len(r) for r in self.raws)


def _pdf(rng: random.Random) -> bytes:
    """A small made-up PDF (8–40 kB): a header and incompressible bytes."""
    return b"%PDF-1.4\n" + rng.randbytes(rng.randrange(8_000, 40_000)) + b"\n%%EOF\n"


def corpus(count: int, to: str) -> Corpus:
    """`count` mails: ~76 % new requests (some with an attachment, some in HTML, ~2 %
    automatic), ~20 % replies to an earlier mail, ~4 % naming a request in the subject."""
    rng = random.Random(SEED)
    out = Corpus()
    # Mails that opened a request, in order: (message-id, sender, subject, references).
    opened: list[tuple[str, tuple[str, str, str], str, list[str]]] = []
    for n in range(count):
        at = AT - timedelta(minutes=count - n)
        message = EmailMessage()
        message["To"] = to
        message["Date"] = format_datetime(at)
        message_id = f"<{SEED}.{n}.{rng.randrange(10**9)}@bench.mssante.test>"
        roll = rng.random()
        if opened and roll < 0.20:  # a reply, by its threading headers
            parent_id, sender, subject, references = rng.choice(opened)
            name, local, domain = sender
            message["Subject"] = f"Re: {subject}"
            message["In-Reply-To"] = parent_id
            message["References"] = " ".join([*references, parent_id][-5:])
            message.set_content(
                rng.choice(REPLY_LINES).format(d=rng.choice(DAYS))
                + "\n\n-- \n" + name + "\n\n> " + subject + "\n> (message précédent)\n"
            )  # fmt: skip
            opened.append((message_id, sender, subject, [*references, parent_id]))
            out.replies += 1
        elif len(opened) > 10 and roll < 0.24:  # names a request in its subject only
            # On a fresh database the k-th new request is request k; its sender writes again
            # (a mail naming a request of someone else's would open a request of its own).
            ordinal = rng.randrange(1, out.originals + 1)
            name, local, domain = out.original_senders[ordinal - 1]
            message["Subject"] = f"Complément d'information [DAC46-{ordinal}]"
            message.set_content("Bonjour,\n\nJe vous transmets un complément pour ce dossier.\n")
            out.by_reference += 1
        else:
            name, local, domain = rng.choice(SENDERS)
            patient, day = rng.choice(PATIENTS), rng.choice(DAYS)
            subject = rng.choice(SUBJECTS).format(p=patient, d=day)
            message["Subject"] = subject
            paragraphs = rng.sample(PARAGRAPHS, rng.randrange(2, len(PARAGRAPHS) + 1))
            body = "Bonjour,\n\n" + "\n\n".join(
                p.format(t=rng.choice(["Mme", "M."]), p=patient, d=day, c=rng.choice(COMMUNES))
                for p in paragraphs
            ) + f"\n\nBien cordialement,\n\n{name}\n"  # fmt: skip
            message.set_content(body)
            if rng.random() < 0.25:
                html = "".join(f"<p>{line}</p>" for line in body.split("\n\n"))
                message.add_alternative(f"<html><body>{html}</body></html>", subtype="html")
                out.html += 1
            if rng.random() < 0.15:
                message.add_attachment(
                    _pdf(rng), maintype="application", subtype="pdf", filename="CRH.pdf"
                )
                out.with_attachment += 1
            if rng.random() < 0.02:
                message["Auto-Submitted"] = "auto-generated"  # a hospital system's notice
                out.automatic += 1
            else:
                out.acknowledged.add(f"{local}@{domain}")
            out.originals += 1
            out.original_senders.append((name, local, domain))
            opened.append((message_id, (name, local, domain), subject, []))
        message["From"] = f"{name} <{local}@{domain}>"
        message["Message-ID"] = message_id
        out.raws.append(bytes(message).replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
    return out


# ----- The SMTP sink, in a process of its own (`--smtp-sink`) -----


async def _sink(ca_cert: Path, ca_key: Path, mode: str) -> None:
    import trustme

    from tests.fakes.smtp import SmtpRecorder

    ca = trustme.CA.from_pem(ca_cert.read_bytes(), ca_key.read_bytes())  # noqa: ASYNC240
    recorder = await SmtpRecorder(mode=mode, require_client_certificate=True, ca=ca).start()  # type: ignore[arg-type]
    print(recorder.port, flush=True)
    loop = asyncio.get_running_loop()
    while True:  # each line on stdin: "count" → the number of mails received so far
        line = await loop.run_in_executor(None, sys.stdin.readline)
        if not line:
            break
        print(len(recorder.mails), flush=True)
    await recorder.close()


class Sink:
    def __init__(self, dovecot: Dovecot, mode: str, work: Path) -> None:
        cert, key = work / "sink-ca.pem", work / "sink-ca.key"
        dovecot.ca.cert_pem.write_to_path(cert)
        dovecot.ca.private_key_pem.write_to_path(key)
        self.process = subprocess.Popen(  # noqa: S603
            [sys.executable, __file__, "--smtp-sink", str(cert), str(key), mode],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT,
        )  # fmt: skip
        assert self.process.stdout is not None
        self.port = int(self.process.stdout.readline())

    def received(self) -> int:
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.process.stdin.write("count\n")
        self.process.stdin.flush()
        return int(self.process.stdout.readline())

    def cpu_s(self) -> float:
        return process_cpu_s(self.process.pid)

    def stop(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def process_cpu_s(pid: int, *, with_children: bool = False) -> float:
    """CPU time of a process (user + system; with its live and reaped children if asked)."""
    tick = os.sysconf("SC_CLK_TCK")
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    total = sum(int(f) for f in fields[11 : 13 + 2 * with_children]) / tick
    if with_children:
        for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
            total += process_cpu_s(int(child), with_children=True)
    return total


# ----- One run -----


@dataclass(kw_only=True)
class Result:
    database: str
    elapsed_s: float = 0.0
    cpu_s: float = 0.0  # this process's CPU time (all threads) during the timed intake
    deliver_s: float = 0.0
    polls: int = 0
    report: PollReport = field(default_factory=PollReport)
    chunk_ms: list[float] = field(default_factory=list)  # fetch to acknowledgements, per chunk
    search_ms: list[float] = field(default_factory=list)
    notified: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    sunk: int = 0
    timed_out: bool = False
    stages: dict[str, float] = field(default_factory=dict)  # seconds, summed over the run
    sink_cpu_s: float = 0.0
    dovecot_cpu_s: float = 0.0


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] if values else 0.0


async def deliver(department: Department, raws: list[bytes]) -> None:
    assert department.mailbox is not None
    async with imap_session(department, department.mailbox) as box:
        for raw in raws:
            await box.append(raw)


COUNTS = {
    "requests": "SELECT count(*) FROM requests",
    "messages in": "SELECT count(*) FROM messages WHERE direction = 'in'",
    "acknowledgements": "SELECT count(*) FROM messages "
    "WHERE kind = 'acknowledgement' AND status = 'sent'",
    "events": "SELECT count(*) FROM request_events",
}


async def measure(
    name: str,
    url: str,
    *,
    department: Department,
    mails: Corpus,
    work: Path,
    args: argparse.Namespace,
    sink: Sink | None,
    dovecot_pid: int,
) -> Result:
    result = Result(database=name)
    started = time.perf_counter()
    await deliver(department, mails.raws)
    result.deliver_s = time.perf_counter() - started
    engine = create_engine(url)
    await upgrade(engine)
    assert department.mailbox is not None

    async def notify(notice: Notice) -> None:
        result.notified += 1

    cpu_pool = CpuProcesses()  # as the service's: mails parsed in worker processes
    intake = Intake(
        department=department,
        sessions=session_maker(engine),
        texts=mail_texts(ROOT / "templates"),
        attachments=FolderStore(work / f"attachments-{name}"),
        max_bytes=25_000_000,
        clock=lambda: AT,
        mailer=None
        if args.no_ack
        else department_mailer(department, department.mailbox, clock=lambda: AT),
        pseudonym_key=b"bench-pseudonym-key",
        processes=cpu_pool,
        notify=notify,
        batch=args.batch,
    )
    stages = result.stages

    def timing(stage: str, call: Callable[..., Awaitable[T]]) -> Callable[..., Awaitable[T]]:
        async def timed_call(*a: object, **k: object) -> T:
            t = time.perf_counter()
            try:
                return await call(*a, **k)
            finally:
                stages[stage] = stages.get(stage, 0.0) + time.perf_counter() - t

        return timed_call

    def timed(box: ImapMailbox) -> ImapMailbox:
        search = box.new_messages

        async def timed_search() -> list[str]:
            t = time.perf_counter()
            found = await search()
            result.search_ms.append((time.perf_counter() - t) * 1000)
            return found

        box.new_messages = timed_search  # type: ignore[method-assign]
        box.sizes = timing("IMAP fetch", box.sizes)  # type: ignore[method-assign]
        box.fetch = timing("IMAP fetch", box.fetch)  # type: ignore[method-assign]
        box.mark_handled = timing("IMAP flag", box.mark_handled)  # type: ignore[method-assign]
        box.park = timing("IMAP flag", box.park)  # type: ignore[method-assign]
        return box

    read = intake._read  # noqa: SLF001

    async def timed_read(*a: object, **k: object) -> object:
        t = time.perf_counter()
        try:
            return await read(*a, **k)  # type: ignore[arg-type]
        finally:
            stages["parse"] = stages.get("parse", 0.0) + time.perf_counter() - t

    chunk = intake._chunk  # noqa: SLF001

    async def timed_chunk(*a: object, **k: object) -> None:
        t = time.perf_counter()
        await chunk(*a, **k)  # type: ignore[arg-type]
        result.chunk_ms.append((time.perf_counter() - t) * 1000)

    intake._read = timed_read  # type: ignore[method-assign,assignment]  # noqa: SLF001
    intake._chunk = timed_chunk  # type: ignore[method-assign]  # noqa: SLF001
    intake._take = timing("commit", intake._take)  # type: ignore[method-assign]  # noqa: SLF001
    intake._send = timing("acknowledgements", intake._send)  # type: ignore[method-assign]  # noqa: SLF001

    async def run() -> None:
        while True:
            async with imap_session(department, department.mailbox) as box:  # type: ignore[arg-type]
                report = await intake.poll(timed(box))
            done = report.taken + report.duplicates + report.parked
            if not done:
                return
            result.polls += 1
            ends.append(time.perf_counter())
            for key in ("taken", "duplicates", "parked", "acknowledged"):
                setattr(result.report, key, getattr(result.report, key) + getattr(report, key))

    ends: list[float] = []
    profiler = _Profiler(name) if args.profile else None
    gc.collect()
    started, cpu = time.perf_counter(), time.process_time()
    sink_cpu = sink.cpu_s() if sink else 0.0
    dovecot_cpu = process_cpu_s(dovecot_pid, with_children=True)
    try:
        await asyncio.wait_for(run(), TIME_LIMIT_S)
    except TimeoutError:
        result.timed_out = True
    result.elapsed_s = (ends[-1] if ends else time.perf_counter()) - started
    result.cpu_s = time.process_time() - cpu
    result.sink_cpu_s = (sink.cpu_s() if sink else 0.0) - sink_cpu
    await asyncio.sleep(0.2)  # the last IMAP process ends and is reaped
    result.dovecot_cpu_s = process_cpu_s(dovecot_pid, with_children=True) - dovecot_cpu
    if profiler is not None:
        profiler.stop()
    async with engine.connect() as connection:
        for label, sql in COUNTS.items():
            result.rows[label] = int((await connection.execute(text(sql))).scalar_one())
    await engine.dispose()
    cpu_pool.close()
    if sink is not None:
        result.sunk = sink.received()
    return result


class _Profiler:
    """py-spy stacks of this process (all threads, aiosqlite's too) when py-spy is installed,
    else cProfile of the event loop's thread; in bench/results/."""

    def __init__(self, name: str) -> None:
        out = ROOT / "bench" / "results"
        out.mkdir(exist_ok=True)
        stamp = datetime.now().astimezone().strftime("%Y-%m-%d-%H%M")
        self.path = out / f"{stamp}-profile-mailbox-{name}"
        spy = shutil.which("py-spy", path=str(ROOT / ".venv" / "bin")) or shutil.which("py-spy")
        self.spy: subprocess.Popen[bytes] | None = None
        self.cprofile: cProfile.Profile | None = None
        if spy:
            self.spy = subprocess.Popen(  # noqa: S603
                [spy, "record", "--pid", str(os.getpid()), "--rate", "200", "--format", "raw",
                 "--output", f"{self.path}.txt", "--nonblocking"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
            time.sleep(1.0)  # py-spy attaches
        else:
            self.cprofile = cProfile.Profile()
            self.cprofile.enable()

    def stop(self) -> None:
        if self.spy is not None:
            self.spy.send_signal(signal.SIGINT)  # py-spy writes its file on SIGINT
            self.spy.wait(timeout=30)
        if self.cprofile is not None:
            self.cprofile.disable()
            self.cprofile.dump_stats(f"{self.path}.pstats")  # read with python -m pstats


async def _pg(action: str) -> None:
    connection = await asyncpg.connect(PG_ADMIN)
    try:
        await connection.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
        if action == "create":
            await connection.execute(f"CREATE DATABASE {PG_DB}")
    finally:
        await connection.close()


def mailbox_department(
    dovecot: Dovecot, user: MailUser, tls: MailTls, sink_port: int
) -> Department:
    departments = Departments(
        load_departments(ROOT / "flows", ROOT / "templates" / "voice" / "prompts.toml").values()
    )
    lot = departments.for_slug("dac46")
    assert lot is not None
    mailbox = Mailbox(
        address=user.address,
        imap_host=dovecot.host,
        imap_port=dovecot.port(tls),
        imap_tls=tls,
        smtp_host="127.0.0.1",
        smtp_port=sink_port,
        smtp_tls=tls,
        certificate=str(user.certificate),
        key=str(user.key),
        ca_file=str(dovecot.ca_file),
        domains={"chu-toulouse.fr": "hospital", "ch-cahors.fr": "hospital",
                 "ch-figeac.fr": "hospital", "clinique-quercy.fr": "hospital"},
    )  # fmt: skip
    return replace(lot, mailbox=mailbox)


def check(result: Result, mails: Corpus, acknowledging: bool) -> list[str]:
    n = len(mails.raws)
    expected = {
        "requests": mails.originals,
        "messages in": n,
        "acknowledgements": len(mails.acknowledged) if acknowledging else 0,
    }
    problems = [
        f"{label}: {result.rows[label]} in the store, {want} expected"
        for label, want in expected.items()
        if result.rows[label] != want
    ]
    if result.report.taken != n:
        problems.append(f"{result.report.taken} taken of {n} ({result.report})")
    if acknowledging and result.sunk != expected["acknowledgements"]:
        problems.append(f"the SMTP sink received {result.sunk} acknowledgements")
    if result.timed_out:
        problems.append(f"stopped after {TIME_LIMIT_S:.0f} s")
    return problems


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgres"],
                        choices=["sqlite", "postgres"])  # fmt: skip
    parser.add_argument("--tls", default="implicit", choices=["implicit", "starttls"])
    parser.add_argument("--batch", type=int, default=200, help="mail_poll_batch (default 200)")
    parser.add_argument("--no-ack", action="store_true", help="no acknowledgements (mailer=None)")
    parser.add_argument("--profile", action="store_true",
                        help="py-spy stacks of the intake in bench/results/")  # fmt: skip
    args = parser.parse_args()
    binary = dovecot_binary()
    if binary is None:
        print("Dovecot is not installed (Debian's dovecot-imapd)", file=sys.stderr)
        return 2
    # As `frontdoor serve` (cli._tune_garbage_collector), where the mailbox job runs.
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 50, 1_000)
    results: list[Result] = []
    problems: dict[str, list[str]] = {}
    dovecot = Dovecot(binary).start()
    assert dovecot._process is not None  # noqa: SLF001
    dovecot_pid = dovecot._process.pid  # noqa: SLF001  (its CPU time is reported)
    work = Path(tempfile.mkdtemp(prefix="frontdoor-bench-mail-"))
    sink: Sink | None = None
    try:
        sink = None if args.no_ack else Sink(dovecot, args.tls, work)
        mails: Corpus | None = None
        for name in args.databases:
            user = dovecot.new_user()
            department = mailbox_department(dovecot, user, args.tls, sink.port if sink else 1)
            mails = corpus(args.messages, user.address)
            if name == "sqlite":
                url = f"sqlite+aiosqlite:///{work}/mail.sqlite3"
            else:
                await _pg("create")
                url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{PG_DB}"
            before = sink.received() if sink else 0
            try:
                result = await measure(
                    name,
                    url,
                    department=department,
                    mails=mails,
                    work=work,
                    args=args,
                    sink=sink,
                    dovecot_pid=dovecot_pid,
                )
            finally:
                if name == "postgres":
                    await _pg("drop")
            result.sunk -= before
            results.append(result)
            problems[name] = check(result, mails, not args.no_ack)
    finally:
        if sink is not None:
            sink.stop()
        dovecot.stop()
        shutil.rmtree(work, ignore_errors=True)
    assert mails is not None
    report(results, problems, mails, args)
    return 1 if any(problems.values()) else 0


def report(
    results: list[Result], problems: dict[str, list[str]], mails: Corpus, args: argparse.Namespace
) -> None:
    n = len(mails.raws)
    ack = "none (mailer=None)" if args.no_ack else (
        f"SMTP to a local aiosmtpd sink, {args.tls} TLS with the client certificate")  # fmt: skip
    print(f"{datetime.now().astimezone():%Y-%m-%d %H:%M %Z}, {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}")  # fmt: skip
    print(f"{n} mails ({mails.size / 1e6:.1f} MB): {mails.originals} new requests "
          f"({mails.automatic} automatic, {mails.with_attachment} with an attachment, "
          f"{mails.html} with an HTML part), {mails.replies} replies by threading headers, "
          f"{mails.by_reference} by a reference in the subject")  # fmt: skip
    print(f"IMAP {args.tls} TLS with a client certificate, batch {args.batch}; "
          f"acknowledgements: {ack}\n")  # fmt: skip
    print("| database | mails/s | total | chunks | chunk p50 ms | chunk max ms | "
          "search p50 ms | polls | delivery (not timed) | checks |")  # fmt: skip
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for r in results:
        rate = r.report.taken / r.elapsed_s if r.elapsed_s else 0.0
        checks = "; ".join(problems[r.database]) or "ok"
        print(f"| {r.database} | {rate:,.0f} | {r.elapsed_s:.2f} s | {len(r.chunk_ms)} | "
              f"{percentile(r.chunk_ms, 50):.0f} | {max(r.chunk_ms, default=0):.0f} | "
              f"{percentile(r.search_ms, 50):.1f} | {r.polls} | {r.deliver_s:.1f} s | "
              f"{checks} |")  # fmt: skip
    print()
    for r in results:
        print(f"{r.database}: {r.report}; {r.notified} notices; rows {r.rows}; "
              f"sink received {r.sunk}; Frontdoor CPU {r.cpu_s:.2f} s of "
              f"{r.elapsed_s:.2f} s")  # fmt: skip
    print("\nWhere the time goes (ms per mail: wall clock summed over the run, divided by the "
          "mails; CPU in seconds over the whole intake, 2 cores shared by all):\n")  # fmt: skip
    names = ["IMAP fetch", "parse", "commit", "IMAP flag", "acknowledgements", "rest"]
    print("| database | " + " | ".join(names) + " | CPU Frontdoor | CPU Dovecot | CPU SMTP sink |")
    print("| --- |" + " ---: |" * (len(names) + 3))
    for r in results:
        st, n = r.stages, max(1, r.report.taken + r.report.parked + r.report.duplicates)
        parts = {name: st.get(name, 0.0) for name in names[:-1]}
        parts["rest"] = r.elapsed_s - sum(parts.values())
        cells = " | ".join(f"{parts[k] * 1000 / n:.2f}" for k in names)
        print(f"| {r.database} | {cells} | {r.cpu_s:.1f} s | {r.dovecot_cpu_s:.1f} s | "
              f"{r.sink_cpu_s:.1f} s |")  # fmt: skip


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--smtp-sink":
        asyncio.run(_sink(Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4]))
        sys.exit(0)
    sys.exit(asyncio.run(main()))
