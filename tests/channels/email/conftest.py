"""Real servers on loopback for the email channel: Dovecot (IMAP) and aiosmtpd (SMTP).

Dovecot runs from a config file of its own in a temporary folder, on a free port, with one
user; each test gets a fresh folder of that mailbox. `.ci/run` installs Debian's
dovecot-imapd; where the binary is missing the IMAP tests skip and say so.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from imapclient import IMAPClient

from comptoir.channels.config import EmailSecrets
from comptoir.channels.models import Channel, ChannelKind
from comptoir.channels.secrets import seal

CORPUS = Path(__file__).resolve().parents[2] / "data" / "email"
ADDRESS = "service@maison.example.com"
PASSWORD = "imap-test-password"
# Debian puts it in /usr/sbin, which is not on every user's PATH.
DOVECOT = shutil.which("dovecot") or shutil.which("dovecot", path="/usr/sbin")
NO_DOVECOT = "Dovecot is not installed (apt-get install dovecot-imapd; .ci/run does it)"
needs_dovecot = pytest.mark.skipif(DOVECOT is None, reason=NO_DOVECOT)

DOVECOT_CONF = """\
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
ssl = yes
ssl_cert = <{cert}
ssl_key = <{key}
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
stats_writer_socket_path =
first_valid_uid = {uid}
default_internal_user = {internal_user}
default_login_user = {login_user}
mail_location = maildir:{root}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/mail/%u
}}
# No auth penalty: after the wrong-password test every login would wait seconds.
service anvil {{
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
service imap-login {{
  inet_listener imap {{
    port = {port}
  }}
  inet_listener imaps {{
    port = {tls_port}
  }}
}}
"""


def corpus(name: str) -> bytes:
    return (CORPUS / name).read_bytes()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_for_port(port: int, *, what: str, log: Path) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
        except OSError:
            time.sleep(0.02)  # waiting for a server to listen, not timing a behaviour
        else:
            return
    details = log.read_text(errors="replace") if log.exists() else ""
    raise RuntimeError(f"{what} did not listen on port {port}\n{details}")


@dataclass(frozen=True)
class Certificate:
    """A self-signed certificate for 127.0.0.1; trusted by a test that sets SSL_CERT_FILE,
    which OpenSSL reads each time a default context loads the system's trust store."""

    cert: Path
    key: Path


def make_certificate(folder: Path) -> Certificate:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(tz=UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    result = Certificate(cert=folder / "cert.pem", key=folder / "key.pem")
    result.cert.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    result.key.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return result


@pytest.fixture(scope="session")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    return make_certificate(tmp_path_factory.mktemp("tls"))


@dataclass(frozen=True)
class Dovecot:
    port: int
    tls_port: int
    root: Path
    user: str = ADDRESS
    password: str = PASSWORD

    def client(self) -> IMAPClient:
        client = IMAPClient("127.0.0.1", port=self.port, ssl=False, timeout=10)
        client.login(self.user, self.password)
        return client

    def stop(self) -> None:
        """SIGTERM to the master, then wait for it to remove its pid file, its last act
        (``dovecot stop`` does the same but looks only once a second)."""
        pid_file = self.root / "run" / "master.pid"
        os.kill(int(pid_file.read_text()), signal.SIGTERM)
        deadline = time.monotonic() + 10
        while pid_file.exists() and time.monotonic() < deadline:
            time.sleep(0.02)  # waiting for a process to exit, not timing a behaviour


def start_dovecot(root: Path, certificate: Certificate) -> Dovecot:
    """Configure and start a Dovecot serving one mailbox from ``root`` (a new folder), in
    plain IMAP on ``port`` and IMAP over TLS on ``tls_port``."""
    assert DOVECOT is not None
    root.chmod(0o755)  # Dovecot's unprivileged processes must reach the folder
    if os.geteuid() == 0:
        # Dovecot refuses to hand mail to root: use Debian's mail user, as RECIPES.md says.
        uid, gid, internal_user, login_user = 8, 8, "dovecot", "dovenull"
    else:
        uid, gid = os.getuid(), os.getgid()
        internal_user = login_user = os.environ.get("USER", str(uid))
    (root / "mail").mkdir()
    os.chown(root / "mail", uid, gid)
    (root / "passwd").write_text(f"{ADDRESS}:{{PLAIN}}{PASSWORD}\n")
    port, tls_port = free_port(), free_port()
    conf = root / "dovecot.conf"
    conf.write_text(
        DOVECOT_CONF.format(
            root=root,
            port=port,
            tls_port=tls_port,
            cert=certificate.cert,
            key=certificate.key,
            uid=uid,
            gid=gid,
            internal_user=internal_user,
            login_user=login_user,
        )
    )
    # Output to a file, not a pipe: the daemon keeps its parent's descriptors, so a pipe
    # would never reach end-of-file and the call would never return.
    with (root / "start.log").open("wb") as output:
        subprocess.run(  # noqa: S603 - a fixed binary and our own config file
            [DOVECOT, "-c", str(conf)],
            check=True,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    wait_for_port(port, what="Dovecot", log=root / "dovecot.log")
    return Dovecot(port=port, tls_port=tls_port, root=root)


@pytest.fixture(scope="session")
def dovecot(certificate: Certificate) -> Iterator[Dovecot]:
    if DOVECOT is None:
        pytest.skip(NO_DOVECOT)
    root = Path(tempfile.mkdtemp(prefix="comptoir-dovecot-"))
    try:
        server = start_dovecot(root, certificate)
        yield server
        server.stop()
    finally:
        shutil.rmtree(root, ignore_errors=True)


@dataclass
class ImapFolder:
    """A fresh folder of the test mailbox; ``append`` stores corpus messages in it."""

    dovecot: Dovecot
    name: str

    def append(self, *names: str, received_at: datetime | None = None) -> None:
        with self.dovecot.client() as client:
            for name in names:
                client.append(self.name, corpus(name), msg_time=received_at)

    def recreate(self) -> None:
        """Delete and create the folder again: the server gives it a new UIDVALIDITY."""
        with self.dovecot.client() as client:
            client.delete_folder(self.name)
            client.create_folder(self.name)

    def delete(self) -> None:
        with self.dovecot.client() as client:
            client.delete_folder(self.name)

    def seen_flags(self) -> list[bool]:
        with self.dovecot.client() as client:
            client.select_folder(self.name, readonly=True)
            flags = client.get_flags(client.search(["ALL"]))
            return [b"\\Seen" in flags[uid] for uid in sorted(flags)]


@pytest.fixture
def imap_folder(dovecot: Dovecot) -> Iterator[ImapFolder]:
    folder = ImapFolder(dovecot, f"Test-{uuid.uuid4().hex[:12]}")
    with dovecot.client() as client:
        client.create_folder(folder.name)
    yield folder
    with dovecot.client() as client:
        if client.folder_exists(folder.name):
            client.delete_folder(folder.name)


def email_channel(**settings: Any) -> Channel:
    """An unsaved email channel: the adapter only reads its settings and secrets."""
    secrets = EmailSecrets.model_validate(
        {
            "imap_password": settings.pop("imap_password", PASSWORD),
            "smtp_password": settings.pop("smtp_password", ""),
        }
    )
    return Channel(
        kind=ChannelKind.EMAIL,
        name="Service client",
        config={"address": ADDRESS, **settings},
        secrets_encrypted=seal(secrets),
    )


@dataclass
class RecordingHandler:
    envelopes: list[Envelope] = field(default_factory=list)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802 - aiosmtpd's hook name
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


@dataclass(frozen=True)
class SmtpServer:
    port: int
    handler: RecordingHandler


SmtpFactory = Callable[..., SmtpServer]


@pytest.fixture
def smtp_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[SmtpFactory]:
    """Starts aiosmtpd servers on free ports (keyword arguments go to aiosmtpd's SMTP:
    tls_context, authenticator...); stops them after the test."""
    # aiosmtpd logs every command at INFO from its own thread, sometimes after the test's
    # output capture has closed; its warnings and errors still show.
    monkeypatch.setattr(logging.getLogger("mail.log"), "level", logging.WARNING)
    controllers: list[Controller] = []

    def serve(**smtp_parameters: Any) -> SmtpServer:
        handler = RecordingHandler()
        controller = Controller(handler, hostname="127.0.0.1", port=free_port(), **smtp_parameters)
        controller.start()
        controllers.append(controller)
        return SmtpServer(port=controller.port, handler=handler)

    yield serve
    for controller in controllers:
        controller.stop()
