"""A real IMAP server for the cadence tests: Dovecot on a free loopback port, with a
throwaway configuration, user list and mail folder, stopped after the test."""

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from .meetings_servers import free_port

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"

CONFIG = """
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {user}
default_internal_group = {group}
default_login_user = {user}
first_valid_uid = {uid}
mail_location = maildir:{root}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
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
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
"""


@dataclass
class Imap:
    host: str
    port: int
    users: dict[str, str]


def _wait(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("dovecot stopped: " + (log.read_text() if log.exists() else ""))
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError("dovecot did not start")


@pytest.fixture
def imap_server():
    """Dovecot serving IMAP (no TLS) on the loopback for the users alice@desk.example and
    bob@desk.example (password "secret")."""
    if not os.path.exists(DOVECOT):
        pytest.skip("dovecot is not installed")
    # Not pytest's tmp_path: Dovecot's own users must be able to reach the folder.
    with tempfile.TemporaryDirectory(prefix="dovecot-") as folder:
        os.chmod(folder, 0o755)
        yield from _serve(Path(folder))


def _serve(root: Path):
    account = pwd.getpwnam("dovecot") if os.geteuid() == 0 else pwd.getpwuid(os.geteuid())
    users = {"alice@desk.example": "secret", "bob@desk.example": "secret"}
    (root / "users").write_text("".join(f"{u}:{{PLAIN}}{p}\n" for u, p in users.items()))
    for folder in ("run", "state", "mail", "home"):
        (root / folder).mkdir()
    port = free_port()
    (root / "dovecot.conf").write_text(
        CONFIG.format(
            root=root,
            port=port,
            user=account.pw_name,
            group=account.pw_name,
            uid=account.pw_uid,
            gid=account.pw_gid,
        )
    )
    if os.geteuid() == 0:
        for path in [root, *root.rglob("*")]:
            os.chown(path, account.pw_uid, account.pw_gid)
        os.chown(root / "run", 0, 0)
    process = subprocess.Popen(
        [DOVECOT, "-F", "-c", str(root / "dovecot.conf")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        _wait(port, process, root / "dovecot.log")
        yield Imap("127.0.0.1", port, users)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
