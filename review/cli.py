"""``mplat diff`` and ``mplat affected``: the commands (registered in mplat/cli.py, the face)."""
from __future__ import annotations

import sys

from compiler.diagnostics import RENDERERS
from compiler.exits import EXIT_DESTRUCTIVE, EXIT_ERRORS, EXIT_OK, EXIT_USAGE

from . import gitrefs, render
from .changeset import Changeset, ValidationFailed, compute

DEFAULT_PATHS = ["specs"]


def _progress(message: str) -> None:
    print(message, file=sys.stderr)


def _compute(args) -> Changeset | int:
    from generators.runtime import EngineUnavailable     # never imports the engine
    try:
        return compute(args.paths or DEFAULT_PATHS, args.base, _progress)
    except EngineUnavailable as exc:           # no Node.js: one line, not a traceback
        print(f"mplat: error: {exc}", file=sys.stderr)
        return EXIT_ERRORS
    except gitrefs.GitError as exc:
        print(f"mplat: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except ValidationFailed as failed:
        out = RENDERERS["text"](failed.diagnostics)
        if out:
            print(out, file=sys.stderr)
        errors = sum(d.severity == "error" for d in failed.diagnostics)
        print(f"mplat: the specs do not validate ({errors} error(s)): nothing compared",
              file=sys.stderr)
        return EXIT_ERRORS


def cmd_diff(args) -> int:
    allow = args.allow_destroy
    if allow is not None and not allow.strip():
        print("mplat: error: --allow-destroy needs a reason (it is echoed into the output)",
              file=sys.stderr)
        return EXIT_USAGE
    cs = _compute(args)
    if isinstance(cs, int):
        return cs
    # fail closed: a destructive change, or a base that could not be compiled (its deletions are
    # unknown), exits 3 unless acknowledged
    code = EXIT_DESTRUCTIVE if (cs.destructive or cs.unproven) and not allow else EXIT_OK
    if code != EXIT_OK:
        for line in render.base_failure_lines(cs):
            print(f"mplat: {line}; fix it, or acknowledge with --allow-destroy \"REASON\"",
                  file=sys.stderr)
    try:
        if args.format == "json":
            print(render.diff_json(cs, allow, code))
        elif args.format == "markdown":
            sys.stdout.write(render.diff_markdown(cs, allow))
        else:
            print(render.diff_text(cs, allow))
        sys.stdout.flush()
    except BrokenPipeError:      # `mplat diff | head`: the reader left; the verdict still stands
        quiet_stdout()
    return code


def quiet_stdout() -> None:
    """Point stdout at /dev/null after a broken pipe, so that the flush at exit cannot fail again
    (the Python documentation's advice: library/signal, "Note on SIGPIPE")."""
    import os
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def cmd_affected(args) -> int:
    cs = _compute(args)
    if isinstance(cs, int):
        return cs
    if args.format == "json":
        print(render.affected_json(cs, args.out))
    elif args.format == "github-matrix":
        print(render.affected_matrix(cs, args.out))
    else:
        text = render.affected_text(cs, args.out)
        if text:
            print(text)
        print(f"{len(cs.affected())} stack(s) affected, {len(cs.removed())} to destroy "
              f"(base: {cs.base.how})", file=sys.stderr)
    return EXIT_OK
