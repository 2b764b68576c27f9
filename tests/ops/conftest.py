"""The fixtures of the operations tests: one moto server per session, reset before each test.

The server is the harness's :class:`tfharness.MotoServer` (``python tests/tfharness.py serve``:
moto with the GAPS patches) and the environment is its FAKE_AWS_ENV, both defined once in
tests/terraform/server.py.
"""
from __future__ import annotations

import importlib
import urllib.request

import pytest

# without moto (requirements-test.lock) this package fails to collect, loudly; an importorskip
# would skip every operations test and leave the run green (#16 Low)
importlib.import_module("moto")

from operations import aws as ops_aws  # noqa: E402
from tfharness import FAKE_AWS_ENV, MotoServer  # noqa: E402

from .helpers import ACCOUNT, Stubs  # noqa: E402


@pytest.fixture(scope="session")
def moto_server(tmp_path_factory):
    """moto's server on 127.0.0.1 (tests/tfharness.py serve: moto with the GAPS patches)."""
    log = tmp_path_factory.mktemp("moto-ops") / "server.log"
    with MotoServer(ACCOUNT, log, iam_managed_policies=False) as server:
        yield server.endpoint


@pytest.fixture
def moto(moto_server, monkeypatch):
    """A reset moto, the environment pointing every client at it, and a Stubs table."""
    urllib.request.urlopen(urllib.request.Request(f"{moto_server}/moto-api/reset", method="POST"))
    for key, value in FAKE_AWS_ENV.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    stubs = Stubs()
    monkeypatch.setattr(ops_aws, "CLIENT_FACTORY", stubs.factory)
    yield stubs
