"""moto's server, patched, on 127.0.0.1, and the fake AWS environment every test uses.

FAKE_AWS_ENV is defined here once: the terraform work directories (workdir.py), the moto servers
and the operations tests (tests/ops/) all take their credentials and AWS isolation from it.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from .moto_patches import patch_moto

DEFAULT_ACCOUNT = "123456789012"      # moto's default account (a stack without account_id)
# the command line a MotoServer runs: ``python tests/tfharness.py serve`` (the facade's CLI)
CLI = Path(__file__).resolve().parent.parent / "tfharness.py"

FAKE_AWS_ENV = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                "AWS_SESSION_TOKEN": "testing", "AWS_CONFIG_FILE": os.devnull,
                "AWS_SHARED_CREDENTIALS_FILE": os.devnull, "AWS_EC2_METADATA_DISABLED": "true",
                "AWS_DEFAULT_REGION": "us-east-1"}


def serve(argv: list[str]) -> None:
    """``python tests/tfharness.py serve -H 127.0.0.1 -p PORT``: moto's server, patched."""
    patch_moto()
    from moto.server import main
    main(argv)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class MotoServer:
    """moto's server (patched) on 127.0.0.1 for one AWS account; a context manager."""

    def __init__(self, account: str = DEFAULT_ACCOUNT, log: Path | None = None, *,
                 iam_managed_policies: bool = True) -> None:
        self.account = account
        # MOTO_IAM_LOAD_MANAGED_POLICIES: terraform stacks attach AWS managed policies; the
        # operations tests reset moto before every test and never read them (ops/conftest.py)
        self.iam_managed_policies = iam_managed_policies
        self.port = _free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.log_path = log
        self.proc: subprocess.Popen | None = None

    def start(self) -> "MotoServer":
        env = {**os.environ, **FAKE_AWS_ENV, "MOTO_ACCOUNT_ID": self.account,
               "MOTO_IAM_LOAD_MANAGED_POLICIES": str(self.iam_managed_policies).lower()}
        log = self.log_path.open("w") if self.log_path else subprocess.DEVNULL
        self.proc = subprocess.Popen(
            [sys.executable, str(CLI), "serve", "-H", "127.0.0.1", "-p", str(self.port)],
            env=env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"moto server exited with {self.proc.returncode} "
                                   f"(log: {self.log_path})")
            try:
                urllib.request.urlopen(f"{self.endpoint}/moto-api/", timeout=2).read()
                return self
            except (urllib.error.URLError, ConnectionError, OSError):
                if time.monotonic() > deadline:
                    raise RuntimeError(f"moto server did not answer on {self.endpoint}") from None
                time.sleep(0.2)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def __enter__(self) -> "MotoServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
