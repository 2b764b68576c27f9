"""Issue #22: the harness's terraform runs never race with each other.

Every stack's ``terraform validate``/``apply``/``plan`` must find the provider while other stacks
run ``init`` at the same moment. The old harness shared a plugin cache that every ``init``
re-created (under a lock that only inits took), so a reader could find the cache entry missing:
"there is no package for registry.terraform.io/hashicorp/aws 5.100.0 cached in
.terraform/providers". The failures came with ``terraform`` behind a two-line ``#!/bin/sh``
wrapper that ``exec``s the real binary, which shifts the timing; this test runs the harness's own
:class:`tfharness.Workdir` through such a wrapper (selected with ``MPLAT_TERRAFORM``, as a user
would) with many stacks at once, each initialising and then validating in a loop, so that inits
and readers overlap all the time.
"""
from __future__ import annotations

import os
import stat
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import tfharness

READERS = 4       # stacks that validate again and again ...
WRITERS = 3       # ... while these initialise fresh stacks back to back
ROUNDS = 4        # validates per reader


def _doc(tools: tfharness.Tools, i: int) -> dict:
    """A small stack in the generated form: the aws pin, one provider block, one resource."""
    return {
        "terraform": {"required_providers": {"aws": {"source": "hashicorp/aws",
                                                     "version": tools.aws_version}}},
        "provider": {"aws": [{"region": "us-east-1",
                              "allowed_account_ids": [tfharness.DEFAULT_ACCOUNT]}]},
        "resource": {"aws_s3_bucket": {"artifacts": {"bucket": f"mplat-race-{i}"}}},
    }


@pytest.fixture()
def wrapped_tools(tf_tools, tmp_path, monkeypatch) -> tfharness.Tools:
    wrapper = tmp_path / "bin" / "terraform"
    wrapper.parent.mkdir()
    wrapper.write_text(f'#!/bin/sh\nexec "{tf_tools.terraform}" "$@"\n')
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    monkeypatch.setenv(tfharness.TERRAFORM_ENV, str(wrapper))
    tools = tfharness.find_tools()
    assert tools.terraform == str(wrapper), "MPLAT_TERRAFORM must select the wrapper"
    return tools


def test_parallel_stacks_through_a_wrapper_never_lose_the_provider(wrapped_tools, tmp_path):
    """Readers validate while writers init, all through the harness's Workdir and one CLI
    config, as tf_runs does with its stacks (there the overlap is by chance; here it is kept up
    for the whole test, so the old harness failed here in 1 of 2 runs: see the commit)."""
    cli = tfharness.write_cli_config(tmp_path / "cli.tfrc", wrapped_tools.mirror)
    done = threading.Event()
    workdirs = []
    for i in range(READERS):
        wd = tfharness.Workdir(tmp_path / f"stack-{i}", wrapped_tools, cli)
        wd.write_config(_doc(wrapped_tools, i))
        workdirs.append(wd)

    def reader(wd: tfharness.Workdir) -> str | None:
        try:
            wd.init()
            for _ in range(ROUNDS):
                wd.validate()
        except tfharness.TerraformError as exc:
            return str(exc)
        return None

    def writer(w: int) -> str | None:
        # A fresh stack each time, as every stack of tf_runs is: with no dependency lock file
        # yet, Terraform (>= 1.4) installs the provider into a plugin cache again rather than
        # trusting the cached copy, which is what re-created the shared entry under readers.
        try:
            n = 0
            while not done.is_set() or n == 0:
                wd = tfharness.Workdir(tmp_path / f"writer-{w}-{n}", wrapped_tools, cli)
                wd.write_config(_doc(wrapped_tools, 100 + w))
                wd.init()
                n += 1
        except tfharness.TerraformError as exc:
            return str(exc)
        return None

    with ThreadPoolExecutor(READERS + WRITERS) as pool:
        writers = [pool.submit(writer, w) for w in range(WRITERS)]
        readers = [pool.submit(reader, wd) for wd in workdirs]
        errors = [e for e in (f.result() for f in readers) if e]
        done.set()
        errors += [e for e in (f.result() for f in writers) if e]
    assert not errors, (f"{len(errors)} of {READERS + WRITERS} stacks failed; the first:\n"
                        f"{errors[0]}")


def test_nothing_shared_is_rewritten_by_init(tf_tools, tmp_path):
    """Race-free by construction: each stack's provider is a link straight into the read-only
    mirror, and the CLI config names no plugin cache that inits would re-create."""
    cli = tfharness.write_cli_config(tmp_path / "cli.tfrc", tf_tools.mirror)
    assert not [line for line in cli.read_text().splitlines()
                if line.strip().startswith("plugin_cache_dir")]
    wd = tfharness.Workdir(tmp_path / "stack", tf_tools, cli)
    wd.write_config(_doc(tf_tools, 0))
    wd.init()
    platform = next((tf_tools.mirror / "registry.terraform.io/hashicorp/aws"
                     / tf_tools.aws_version).iterdir())
    installed = (tmp_path / "stack/.terraform/providers/registry.terraform.io/hashicorp/aws"
                 / tf_tools.aws_version / platform.name)
    assert installed.exists()
    assert Path(os.path.realpath(installed)) == Path(os.path.realpath(platform)), (
        f"{installed} should resolve into the mirror, not a shared cache")
