"""Real Terraform against moto: the facade of the harness package tests/terraform/.

The harness lives in tests/terraform/, one module per role (its package docstring is the API):
``tools.py`` (find_tools, write_cli_config), ``translate.py``, ``gaps.py`` (the GAPS table),
``moto_patches.py`` (patch_moto), ``server.py`` (FAKE_AWS_ENV, MotoServer, serve) and
``workdir.py`` (Workdir, Change, StackRun, run_stack, fork, resolve) and ``fleet.py`` (Job,
running: many stacks at once in one pool). This file re-exports every public
name, so tests keep writing ``import tfharness`` / ``tfharness.GAPS``, and it is the command line:

* ``python tests/tfharness.py check`` -- one line and exit 1 if terraform or the mirror is
  missing (``make test`` runs it first);
* ``python tests/tfharness.py serve -H 127.0.0.1 -p PORT`` -- moto's server with the GAPS patches
  (what :class:`MotoServer` starts).
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))   # run as a script: tests/ holds terraform/

from terraform.gaps import GAPS, Gap, exclusions, gaps_by_remedy, without
from terraform.moto_patches import patch_moto
from terraform.server import DEFAULT_ACCOUNT, FAKE_AWS_ENV, MotoServer, serve
from terraform.tools import (
    MIRROR_ENV, TERRAFORM_ENV, Tools, Unavailable, check, find_tools, mirror_versions,
    write_cli_config)
from terraform.translate import region_alias, translate
from terraform.fleet import Job, running
from terraform.workdir import (
    BACKEND_OVERRIDE, CONFIG_FILE, MOTO_OVERRIDE, Change, StackRun, TerraformError, Workdir,
    account_of, addresses, fork, parse_plan, plan_stack, protected, resolve, run_stack)

__all__ = [
    "BACKEND_OVERRIDE", "CONFIG_FILE", "DEFAULT_ACCOUNT", "FAKE_AWS_ENV", "GAPS", "MIRROR_ENV",
    "MOTO_OVERRIDE", "TERRAFORM_ENV", "Change", "Gap", "Job", "MotoServer", "StackRun",
    "TerraformError", "Tools", "Unavailable", "Workdir", "account_of", "addresses", "check",
    "exclusions", "find_tools", "fork", "gaps_by_remedy", "mirror_versions", "parse_plan",
    "patch_moto", "plan_stack", "protected", "region_alias", "resolve", "run_stack", "running",
    "serve", "translate", "without", "write_cli_config"]


if __name__ == "__main__":
    if sys.argv[1:2] == ["serve"]:
        serve(sys.argv[2:])
    elif sys.argv[1:2] == ["check"]:
        sys.exit(check())
    else:
        raise SystemExit("usage: tfharness.py serve -H 127.0.0.1 -p PORT | tfharness.py check")
