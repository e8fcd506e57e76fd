"""Real servers for the source tests, started per test on free ports in temporary folders:
OpenSSH's sshd (sftp only, key authentication, a generated host key) and Dovecot (IMAP, plain
text on 127.0.0.1, one static user). Both come from Debian's packages (`make system-packages`)."""

from __future__ import annotations

import grp
import json
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

SSHD = shutil.which("sshd") or "/usr/sbin/sshd"
DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, log: Path, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}: {log.read_text(errors='replace')}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"server did not listen on {port}: {log.read_text(errors='replace')}")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@dataclass
class SftpServer:
    port: int
    root: Path  # the folder the agency's system exports into
    user: str
    private_key: str
    host_key: str  # "ssh-ed25519 AAAA..."
    process: subprocess.Popen

    def connection_json(self, port: int | None = None, host_key: str | None = None) -> str:
        """The Airflow connection, as an AIRFLOW_CONN_<ID> environment value (JSON form)."""
        return json.dumps(
            {
                "conn_type": "sftp",
                "host": "127.0.0.1",
                "port": port or self.port,
                "login": self.user,
                "extra": {"private_key": self.private_key, "host_key": host_key or self.host_key},
            }
        )


def start_sshd(folder: Path) -> SftpServer:
    keys = folder / "keys"
    keys.mkdir(parents=True)
    for name in ("host_key", "user_key"):
        subprocess.run(
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "pantau-test", "-f", str(keys / name)],
            check=True,
        )
    (keys / "authorized_keys").write_text((keys / "user_key.pub").read_text())
    root = folder / "export"
    root.mkdir()
    user = pwd.getpwuid(os.getuid()).pw_name
    port = free_port()
    config = folder / "sshd_config"
    config.write_text(
        f"""Port {port}
ListenAddress 127.0.0.1
HostKey {keys / "host_key"}
PidFile {folder / "sshd.pid"}
AuthorizedKeysFile {keys / "authorized_keys"}
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PermitRootLogin prohibit-password
AllowUsers {user}
AllowTcpForwarding no
X11Forwarding no
Subsystem sftp internal-sftp
ForceCommand internal-sftp -d {root}
"""
    )
    if os.geteuid() == 0:
        os.makedirs("/run/sshd", mode=0o755, exist_ok=True)  # sshd's privilege separation directory
    log = folder / "sshd.log"
    process = subprocess.Popen([SSHD, "-D", "-e", "-f", str(config)], stderr=log.open("wb"))
    wait_for_port(port, process, log)
    return SftpServer(
        port=port,
        root=root,
        user=user,
        private_key=(keys / "user_key").read_text(),
        host_key=" ".join((keys / "host_key.pub").read_text().split()[:2]),
        process=process,
    )


@dataclass
class ImapServer:
    port: int
    user: str
    password: str
    process: subprocess.Popen
    folder: Path

    def connection_json(self, port: int | None = None) -> str:
        return json.dumps(
            {
                "conn_type": "imap",
                "host": "127.0.0.1",
                "port": port or self.port,
                "login": self.user,
                "password": self.password,
                "extra": {"use_ssl": False},
            }
        )

    def client(self):
        import imaplib

        client = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        client.login(self.user, self.password)
        return client

    def deliver(self, message: bytes, folder: str = "INBOX") -> None:
        """Put a message in the mailbox as a mail server would (IMAP APPEND)."""
        client = self.client()
        try:
            typ, detail = client.append(folder, None, None, message)
            assert typ == "OK", detail
        finally:
            client.logout()

    def keywords(self, folder: str = "INBOX") -> list[bytes]:
        """Each message's FLAGS response, in UID order."""
        client = self.client()
        try:
            client.select(folder)
            _, data = client.uid("FETCH", "1:*", "(FLAGS)")
            return [d for d in data if d]
        finally:
            client.logout()


def start_dovecot() -> ImapServer:
    # Dovecot's unprivileged processes must reach the config and mail folders, so this folder is
    # world-traversable (it holds test messages only) and, under root, owned by the mail user.
    folder = Path(tempfile.mkdtemp(prefix="pantau-dovecot-"))
    folder.chmod(0o755)
    mail = folder / "mail"
    mail.mkdir()
    if os.geteuid() == 0:
        internal, login = "dovecot", "dovenull"
        uid, gid = pwd.getpwnam("dovecot").pw_uid, grp.getgrnam("dovecot").gr_gid
        os.chown(mail, uid, gid)
    else:
        internal = login = pwd.getpwuid(os.getuid()).pw_name
        uid, gid = os.getuid(), os.getgid()
    port = free_port()
    config = folder / "dovecot.conf"
    config.write_text(
        f"""protocols = imap
listen = 127.0.0.1
base_dir = {folder / "run"}
state_dir = {folder / "state"}
log_path = {folder / "dovecot.log"}
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{mail}/%u
default_internal_user = {internal}
default_internal_group = {grp.getgrgid(gid).gr_name}
default_login_user = {login}
first_valid_uid = {uid}
passdb {{
  driver = static
  args = password=rahasia-uji
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={mail}/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
"""
    )
    log = folder / "dovecot.log"
    log.touch()
    process = subprocess.Popen(
        [DOVECOT, "-F", "-c", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=(folder / "stderr.log").open("wb"),
    )
    wait_for_port(port, process, folder / "stderr.log")
    return ImapServer(port=port, user="timpoa", password="rahasia-uji", process=process, folder=folder)
