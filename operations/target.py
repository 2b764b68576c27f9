"""SPEC + --env -> the one validated stack the command acts on, with its typed model.

Every AWS name a command uses comes from that model (which took them from ``compiler.names``).
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from compiler.words import did_you_mean

from .errors import OpsError

PIN_PATH = ("kubernetes", "model", "version_id")


@dataclass
class Target:
    spec: str                 # the path as given
    real: Path                # the file on disk
    shown: str                # the path as diagnostics show it
    stack: object             # compiler.overlay.StackInput
    platform: object          # compiler.model.Platform
    stacks: list              # every stack of the file (for pin edits that reach other envs)

    @property
    def bucket(self) -> str:
        if self.platform.artifacts is None:
            raise OpsError(f"{self.shown}: the spec has no artifacts section, so no model bucket "
                           "(add 'artifacts: {}')")
        return self.platform.artifacts.bucket

    @property
    def pin(self):
        """The ModelPin (bucket, key, version_id) of kubernetes.model, or None."""
        k8s = self.platform.kubernetes
        return k8s.model if k8s is not None else None

    def key(self, given: str | None) -> str:
        if given:
            return given
        if self.pin is None:
            raise OpsError(f"{self.shown}: the spec pins no model (kubernetes.model); pass --key")
        return self.pin.key

    def pin_position(self):
        """Where the pinned version_id was written (file, line, col): base or overlay."""
        return self.stack.positions.values.get(PIN_PATH)


def resolve(spec: str, env: str | None) -> Target:
    """Validate SPEC (as `mplat validate` does) and pick the stack of ``env``."""
    if not os.path.isfile(spec):
        raise OpsError(f"{spec}: no such spec file")
    from compiler import pipeline
    from compiler.diagnostics import RENDERERS

    result = pipeline.run([spec], build_models=True)
    if not result.ok:
        out = RENDERERS["text"](result.diagnostics)
        if out:
            print(out, file=sys.stderr)
        raise OpsError(f"{spec} does not validate; fix it first (mplat validate {spec})")
    if not result.models:
        raise OpsError(f"{spec}: no stack to act on")
    real, shown = result.sources[0]
    pairs = list(zip(result.stacks, result.models, strict=True))
    envs = [s.env for s, _ in pairs]
    if envs == [None]:
        if env:
            raise OpsError(f"{shown} has no environments; drop --env {env}")
        stack, platform = pairs[0]
    else:
        if not env:
            raise OpsError(f"{shown} has environments: pass --env ({', '.join(envs)})")
        if env not in envs:
            guess = did_you_mean(env, envs)
            hint = f"; {guess}" if guess else ""
            raise OpsError(f"{shown} has no environment '{env}' (it has {', '.join(envs)}){hint}")
        stack, platform = pairs[envs.index(env)]
    return Target(spec=spec, real=Path(real), shown=shown, stack=stack, platform=platform,
                  stacks=[s for s, _ in pairs])


def resolve_all(paths: list[str]) -> list[Target]:
    """Every stack (every environment) of the specs under ``paths``, validated as ``validate``."""
    from compiler import pipeline
    from compiler.diagnostics import RENDERERS

    result = pipeline.run(paths, build_models=True)
    if not result.ok:
        out = RENDERERS["text"](result.diagnostics)
        if out:
            print(out, file=sys.stderr)
        raise OpsError(f"{' '.join(paths)}: the specs do not validate; fix them first "
                       f"(mplat validate {' '.join(paths)})")
    shown_of = {shown: Path(real) for real, shown in result.sources}
    by_file: dict[str, list] = {}
    for stack in result.stacks:
        by_file.setdefault(stack.file, []).append(stack)
    return [Target(spec=stack.file, real=shown_of.get(stack.file, Path(stack.file)),
                   shown=stack.file, stack=stack, platform=model, stacks=by_file[stack.file])
            for stack, model in zip(result.stacks, result.models, strict=True)]
