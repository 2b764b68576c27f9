"""One stack's terraform work directory (Workdir), a saved plan's changes, run_stack, resolve."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from .gaps import Gap, exclusions, without
from .server import DEFAULT_ACCOUNT, FAKE_AWS_ENV
from .tools import Tools
from .translate import translate

BACKEND_OVERRIDE = "mplat_backend_override.tf.json"
MOTO_OVERRIDE = "mplat_moto_override.tf.json"
CONFIG_FILE = "cdk.tf.json"


class TerraformError(AssertionError):
    """A terraform command failed: the message holds the command and its output."""


# -- a terraform work directory ------------------------------------------------------------------
@dataclass
class Change:
    """One resource change of a saved plan (``terraform show -json``: resource_changes[])."""
    address: str
    actions: tuple[str, ...]
    replace_paths: list = field(default_factory=list)
    before: Any = None
    after: Any = None

    @property
    def replace(self) -> bool:
        return set(self.actions) == {"delete", "create"}

    def changed_attributes(self) -> list[str]:
        """Top-level attributes whose known values differ between before and after."""
        b, a = self.before or {}, self.after or {}
        return sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))


def parse_plan(plan_json: dict) -> list[Change]:
    """The changes (anything but no-op/read) of a ``terraform show -json PLANFILE`` document."""
    out = []
    for rc in plan_json.get("resource_changes", []):
        ch = rc["change"]
        actions = tuple(ch["actions"])
        if actions in (("no-op",), ("read",)):
            continue
        out.append(Change(rc["address"], actions, ch.get("replace_paths", []), ch.get("before"),
                          ch.get("after")))
    return out


_PREVENT = re.compile(r"Resource (\S+) has lifecycle\.prevent_destroy set")


class Workdir:
    """One stack's terraform directory: the translated config, overrides, state, logs."""

    def __init__(self, path: Path, tools: Tools, cli_config: Path) -> None:
        self.path = path
        self.tools = tools
        self.cli_config = cli_config
        self.endpoint: str | None = None
        self.log: list[str] = []
        path.mkdir(parents=True, exist_ok=True)

    # config
    def write_config(self, doc: dict, exclude: Iterable[str] = ()) -> dict:
        """Write translate(doc) minus ``exclude`` and the local-backend override; returns it."""
        written = without(translate(doc, self.tools.aws_version), exclude)
        (self.path / CONFIG_FILE).write_text(json.dumps(written, indent=2, sort_keys=True))
        (self.path / BACKEND_OVERRIDE).write_text(json.dumps(
            {"terraform": {"backend": {"local": {"path": "terraform.tfstate"}}}}, indent=2))
        return written

    def use_moto(self, endpoint: str) -> None:
        """Point every aws provider block at moto (override file + AWS_ENDPOINT_URL)."""
        doc = json.loads((self.path / CONFIG_FILE).read_text())
        blocks = []
        for b in doc.get("provider", {}).get("aws", []):
            o: dict[str, Any] = {"s3_use_path_style": True, "skip_metadata_api_check": True}
            if "alias" in b:
                o["alias"] = b["alias"]
            blocks.append(o)
        (self.path / MOTO_OVERRIDE).write_text(json.dumps({"provider": {"aws": blocks}}, indent=2))
        self.endpoint = endpoint

    # commands
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TF_", "AWS_"))}
        env.update(FAKE_AWS_ENV)
        env.update({"TF_CLI_CONFIG_FILE": str(self.cli_config), "TF_IN_AUTOMATION": "1",
                    "TF_INPUT": "0", "CHECKPOINT_DISABLE": "1"})
        if self.endpoint:
            env["AWS_ENDPOINT_URL"] = self.endpoint
        else:                             # no endpoint yet: anything reaching AWS fails locally
            env["AWS_ENDPOINT_URL"] = "http://127.0.0.1:9"
        return env

    def run(self, *args: str, ok: tuple[int, ...] = (0,),
            timeout: float = 900) -> subprocess.CompletedProcess:
        cmd = [self.tools.terraform, *args]
        started = time.monotonic()
        proc = subprocess.run(cmd, cwd=self.path, env=self.env(), capture_output=True, text=True,
                              timeout=timeout)
        took = time.monotonic() - started
        self.log.append(f"$ terraform {' '.join(args)}  # exit {proc.returncode}, {took:.1f} s")
        (self.path / "harness.log").write_text("\n".join(self.log) + "\n")
        if proc.returncode not in ok:
            tail = (proc.stdout[-6000:] + "\n" + proc.stderr[-6000:]).strip()
            raise TerraformError(f"{self.path.name}: terraform {' '.join(args)} exited "
                                 f"{proc.returncode}:\n{tail}")
        return proc

    def init(self) -> None:
        # No lock: nothing shared is written (see write_cli_config), so inits run in parallel
        # with each other and with every other stack's commands.
        self.run("init", "-input=false", "-no-color")

    def validate(self) -> None:
        self.run("validate", "-no-color")

    def apply(self) -> None:
        self.run("apply", "-auto-approve", "-input=false", "-no-color")

    def plan(self, *args: str, detailed_exitcode: bool = True) -> subprocess.CompletedProcess:
        """``terraform plan``; with ``detailed_exitcode`` exit 2 (changes) is not an error."""
        extra = ("-detailed-exitcode",) if detailed_exitcode else ()
        return self.run("plan", "-input=false", "-no-color", *extra, *args,
                        ok=(0, 2) if detailed_exitcode else (0,))

    def plan_changes(self, *args: str) -> list[Change]:
        """Plan into a file and parse ``terraform show -json`` of it: the changes (no no-ops).
        Exit 0 of ``plan -detailed-exitcode`` means "no changes" (Terraform's own answer), so
        the plan is shown only for exit 2: each ``show`` starts the provider (~3 s of CPU)."""
        if self.plan("-out=mplat.tfplan", *args).returncode == 0:
            return []
        shown = self.run("show", "-json", "-no-color", "mplat.tfplan")
        return parse_plan(json.loads(shown.stdout))

    def state_values(self) -> dict[str, dict]:
        """address -> attribute values of every resource/data source in the state, read from the
        local state file Terraform wrote (format version 4: ``resources[].instances[].attributes``
        are the values ``terraform show -json`` prints; tests/test_terraform.py checks that they
        are, on an applied stack). Read directly: ``show -json`` starts the provider for its schema
        (~3 s of CPU), once per stack."""
        state = json.loads((self.path / "terraform.tfstate").read_text())
        if state.get("version") != 4:
            raise TerraformError(f"{self.path.name}: state format {state.get('version')}, "
                                 "the harness reads version 4")
        values = {}
        for r in state.get("resources", []):
            if r.get("module"):
                raise TerraformError(f"{self.path.name}: a module in the state ({r['module']}): "
                                     "generated stacks have none")
            prefix = "data." if r["mode"] == "data" else ""
            for inst in r["instances"]:
                key = f"[{json.dumps(inst['index_key'])}]" if "index_key" in inst else ""
                values[f"{prefix}{r['type']}.{r['name']}{key}"] = inst["attributes"]
        return values

    def state_addresses(self) -> list[str]:
        """What ``terraform state list`` lists (resources and data sources), from the state file."""
        return sorted(self.state_values())

    def refused_destroys(self) -> set[str]:
        """The addresses a ``plan -destroy`` refuses because of ``prevent_destroy``.

        Terraform skips the destroy of whatever must be destroyed after a refused one (a key
        after the vault encrypted with it), so this plans in rounds: each round's refused
        resources get ``prevent_destroy = false`` in a temporary override file and the plan is
        run again until it refuses nothing more. Every address returned was refused by Terraform
        with the generated config's own ``prevent_destroy``."""
        refused: set[str] = set()
        extra = self.path / "mplat_destroyround_override.tf.json"
        try:
            for _ in range(20):
                proc = self.run("plan", "-destroy", "-refresh=false", "-input=false", "-json",
                                "-lock=false", ok=(0, 1))
                found = set()
                for line in proc.stdout.splitlines():
                    try:
                        msg = json.loads(line)
                    except ValueError:
                        continue
                    diag = msg.get("diagnostic") or {}
                    m = _PREVENT.search(diag.get("detail", ""))
                    if m:
                        found.add(m.group(1))
                if proc.returncode == 0 or not found:
                    if proc.returncode != 0:
                        raise TerraformError(f"{self.path.name}: destroy plan failed:\n"
                                             f"{proc.stdout[-4000:]}")
                    return refused
                refused |= found
                override: dict = {"resource": {}}
                for addr in refused:
                    type_, name = addr.split(".", 1)
                    override["resource"].setdefault(type_, {})[name] = {
                        "lifecycle": {"prevent_destroy": False}}
                extra.write_text(json.dumps(override))
            raise TerraformError(f"{self.path.name}: destroy plan still refusing after 20 rounds")
        finally:
            extra.unlink(missing_ok=True)


@dataclass
class StackRun:
    """What :func:`run_stack` saw for one stack (``error`` names the step that failed)."""
    stack: str
    account: str
    excluded: dict[str, Gap] = field(default_factory=dict)
    resources: list[str] = field(default_factory=list)    # addresses in the written config
    steps: list[str] = field(default_factory=list)        # the steps that passed
    applied: list[str] = field(default_factory=list)      # `terraform state list` after apply
    state: dict[str, dict] = field(default_factory=dict)  # attribute values after apply
    changes: list[Change] = field(default_factory=list)   # second plan
    refused: set[str] = field(default_factory=set)        # destroy refused (prevent_destroy)
    error: str | None = None
    seconds: float = 0.0
    workdir: Path | None = None     # the work directory (its state is the applied stack's)
    endpoint: str | None = None     # the moto server the stack was applied to

    def failed_at(self, step: str) -> str | None:
        """The error if the run failed before completing ``step``."""
        return None if step in self.steps else (self.error or f"{step} was not reached")


def fork(run: StackRun, dest: Path, tools: Tools, cli_config: Path) -> Workdir:
    """A copy of ``run``'s applied work directory at ``dest``, pointed at the same moto server
    (still running: the servers live as long as the session's runs): further plans and applies
    start from the applied state without applying the stack again. The copy keeps the provider
    links into the mirror (symlinks copied as links); the original is left as it was."""
    if run.workdir is None or run.endpoint is None or "apply" not in run.steps:
        raise TerraformError(f"{run.stack}: no applied work directory to fork "
                             f"({run.failed_at('apply')})")
    shutil.copytree(run.workdir, dest, symlinks=True,
                    ignore=shutil.ignore_patterns("harness.log", "*.tfplan"))
    wd = Workdir(dest, tools, cli_config)
    wd.use_moto(run.endpoint)
    return wd


def addresses(doc: dict, kinds: tuple[str, ...] = ("resource", "data")) -> list[str]:
    return sorted(f"{'data.' if kind == 'data' else ''}{t}.{n}" for kind in kinds
                  for t, items in doc.get(kind, {}).items() for n in items)


def account_of(doc: dict) -> str:
    """The account moto must answer as: the first of allowed_account_ids, else moto's default."""
    for block in doc.get("provider", {}).get("aws", []):
        if block.get("allowed_account_ids"):
            return block["allowed_account_ids"][0]
    return DEFAULT_ACCOUNT


def _stack_run(stack: str, doc: dict, workdir: Path, tools: Tools, cli_config: Path,
               endpoint: str, steps: Callable[[Workdir, StackRun], None]) -> StackRun:
    """What every kind of run does: write the config, init, point it at moto, then ``steps``;
    any failure ends the run with its error recorded (never raised)."""
    run = StackRun(stack, account_of(doc), excluded=exclusions(doc), workdir=workdir,
                   endpoint=endpoint)
    started = time.monotonic()
    wd = Workdir(workdir, tools, cli_config)
    try:
        written = wd.write_config(doc, run.excluded)
        run.resources = addresses(written, ("resource",))
        wd.init()
        wd.use_moto(endpoint)
        steps(wd, run)
    except (TerraformError, ValueError, OSError, subprocess.TimeoutExpired) as exc:
        run.error = str(exc)
    run.seconds = time.monotonic() - started
    return run


def _whole(wd: Workdir, run: StackRun) -> None:
    try:
        wd.apply()              # validates the configuration first
    except TerraformError:
        wd.validate()           # raises if the configuration itself is invalid
        raise
    run.steps.append("validate")
    run.state = wd.state_values()
    run.applied = sorted(run.state)
    run.steps.append("apply")
    run.changes = wd.plan_changes()
    run.steps.append("plan")
    run.refused = wd.refused_destroys()
    run.steps.append("destroy")


def run_stack(stack: str, doc: dict, workdir: Path, tools: Tools, cli_config: Path,
              endpoint: str) -> StackRun:
    """init, apply to moto at ``endpoint``, second plan, destroy plan; never raises.

    ``apply`` validates the configuration before it plans, so a stack whose apply passed has
    passed validation ("validate" is recorded with "apply"); only when the apply fails does a
    separate ``terraform validate`` tell an invalid configuration from a failed apply. Each
    terraform command starts the 700 MB provider (~3 s of CPU), so the run starts it as few times
    as it can: apply, plan (shown only if it has changes), and the destroy-plan rounds."""
    return _stack_run(stack, doc, workdir, tools, cli_config, endpoint, _whole)


def _planned(wd: Workdir, run: StackRun) -> None:
    shown = wd.run("plan", "-input=false", "-no-color", "-json", "-detailed-exitcode", ok=(0, 2))
    run.steps.append("validate")       # plan validates first; a failure is exit 1
    for line in shown.stdout.splitlines():
        msg = json.loads(line) if line.startswith("{") else {}
        if msg.get("type") == "planned_change":
            change = msg["change"]
            action = change["action"]
            run.changes.append(Change(change["resource"]["addr"],
                                      ("delete", "create") if action == "replace" else (action,)))
    run.steps.append("plan")


def plan_stack(stack: str, doc: dict, workdir: Path, tools: Tools, cli_config: Path,
               endpoint: str) -> StackRun:
    """init, then one ``terraform plan -json`` against moto at ``endpoint``, which validates the
    configuration first and streams each planned change (``changes``: what an apply would do),
    without applying; never raises. The cheap run for a second engine's output: two terraform
    invocations (only the plan starts the 700 MB provider) instead of run_stack's six or more."""
    return _stack_run(stack, doc, workdir, tools, cli_config, endpoint, _planned)


_REF = re.compile(r"\$\{((?:data\.)?[a-z0-9_]+\.[A-Za-z0-9_-]+)\.([a-z0-9_]+)\}")


def resolve(doc: dict, state: dict[str, dict]) -> dict:
    """``doc`` with each ``${type.name.attr}`` the applied ``state`` knows replaced by its value."""
    def sub(value):
        if isinstance(value, dict):
            return {k: sub(v) for k, v in value.items()}
        if isinstance(value, list):
            return [sub(v) for v in value]
        if isinstance(value, str):
            return _REF.sub(lambda m: str(state.get(m.group(1), {}).get(m.group(2), m.group(0))),
                            value)
        return value
    return sub(doc)


def protected(doc: dict) -> set[str]:
    """Addresses of the resources of ``doc`` that carry ``prevent_destroy``."""
    return {f"{t}.{n}" for t, items in doc.get("resource", {}).items() for n, b in items.items()
            if (b.get("lifecycle") or {}).get("prevent_destroy")}

