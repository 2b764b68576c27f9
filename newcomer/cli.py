"""The newcomer commands on the `mplat` command line, registered with one call:
``register(parser, subparsers)`` after every other command is added (it also gives every
``--help`` its example and adds ``--version`` and ``schema --out``); ``COMMANDS`` maps the command
names to their functions. argparse only: each command imports what it needs when it runs.
"""
from __future__ import annotations

import argparse
import sys

from compiler.exits import EXIT_ERRORS, EXIT_OK, EXIT_USAGE

# one example per command (`mplat X --help` ends with it); tests check every parser has one
EXAMPLES = {
    "": "mplat init fraud-scorer --account 123456789012 --region us-east-1 --serving kubernetes\n"
        "  mplat validate specs/",
    "validate": "mplat validate specs/ --format json",
    "synth": "mplat synth specs/fraud-detector.yaml --out cdktf.out",
    "diff": "mplat diff specs/ --base origin/main --format markdown",
    "affected": "mplat affected --base origin/main --format github-matrix",
    "rules": "mplat rules | grep bucket",
    "schema": "mplat schema --out schemas/model-platform.schema.json",
    "models": "mplat models history specs/fraud-detector.yaml --env prod",
    "models history": "mplat models history specs/fraud-detector.yaml --env prod --format json",
    "models rollback": "mplat models rollback specs/fraud-detector.yaml --env prod --steps 1 "
                       "--dry-run",
    "restore": "mplat restore specs/fraud-detector.yaml --env prod --at 2026-11-29T08:00:00Z\n"
               "  mplat restore status JOB --region us-east-1 --wait",
    "verify": "mplat verify specs/fraud-detector.yaml --env prod",
    "changes": "mplat changes specs/fraud-detector.yaml --env prod --since 24h",
    "init": "mplat init fraud-scorer --account 123456789012 --region us-east-1 "
            "--env staging,prod --serving kubernetes",
    "explain": "mplat explain bucket-name-invalid\n"
               "  mplat explain specs/fraud-detector.yaml --env prod "
               "kubernetes.resources.limits.memory",
    "graph": "mplat graph specs/fraud-detector.yaml --env prod --format mermaid",
    "completion": "mplat completion bash > ~/.local/share/bash-completion/completions/mplat",
}


class _Version(argparse.Action):
    """``--version``: computed when asked (it reads the installed packages' metadata)."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS,
                 help="print mplat's version, the engine's and the Terraform provider pins"):
        super().__init__(option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        from .version import version_text
        print(version_text())
        parser.exit()


def _options_first(base: type) -> type:
    """A parser class that moves ``--env E`` before the positionals: argparse cannot take an
    optional positional after an option (``SPEC --env E PATH`` would leave PATH unrecognized)."""

    class OptionsFirst(base):
        def parse_known_args(self, args=None, namespace=None):
            args = list(args or [])
            for i, arg in enumerate(args):
                if arg == "--env" and i + 1 < len(args):
                    args = args[i:i + 2] + args[:i] + args[i + 2:]
                    break
                if arg.startswith("--env="):
                    args = [arg] + args[:i] + args[i + 1:]
                    break
            return super().parse_known_args(args, namespace)

    return OptionsFirst


_ROOT: list = []     # the whole command line's parser, given to register (for completion scripts)


def register(parser, sub) -> None:
    """Add the newcomer commands, ``--version``, ``schema --out`` and every --help's example."""
    _ROOT[:] = [parser]
    parser.add_argument("--version", action=_Version)

    i = sub.add_parser("init", help="write a commented spec for a new model that validates at once")
    i.add_argument("name", metavar="NAME", help="metadata.name: names every resource")
    i.add_argument("--account", required=True, metavar="ID", help="the 12-digit AWS account id")
    i.add_argument("--region", required=True, metavar="REGION", help="the AWS region")
    i.add_argument("--env", metavar="ENVS", help="comma-separated environments, e.g. staging,prod "
                   "(one stack each)")
    i.add_argument("--serving", choices=("kubernetes", "sagemaker"),
                   help="how the model is served (default: none, only the model store and backup)")
    i.add_argument("--out", metavar="FILE", help="the spec to write (default: specs/NAME.yaml); "
                   "never overwritten")
    i.add_argument("--schema", metavar="FILE", help="the JSON Schema the editor header points at "
                   "(default: schemas/model-platform.schema.json, written when missing)")

    e = sub.add_parser("explain", help="what a rule means (with a bad and a good example), or the "
                       "value at a path of a spec and where it came from")
    e.add_argument("target", metavar="RULE-ID|SPEC", help="a rule id (mplat rules), or a spec file")
    e.add_argument("path", metavar="PATH", nargs="?",
                   help="with a SPEC: a path such as kubernetes.resources.limits.memory or "
                        "backup.snapshots[0].schedule")
    e.add_argument("--env", metavar="ENV", help="with a SPEC: the environment")
    e.__class__ = _options_first(type(e))     # `explain SPEC --env E PATH` as the docs write it

    g = sub.add_parser("graph", help="draw what a stack creates (capabilities, resources and how "
                       "they connect)")
    g.add_argument("spec", metavar="SPEC", help="the spec file")
    g.add_argument("--env", metavar="ENV", help="environment (required when the spec has them)")
    g.add_argument("--format", choices=("mermaid", "dot"), default="mermaid",
                   help="mermaid (default; renders in GitHub markdown) or dot (Graphviz)")

    c = sub.add_parser("completion", help="print a shell completion script")
    c.add_argument("shell", choices=("bash", "zsh", "fish"))

    if "schema" in sub.choices:
        sub.choices["schema"].add_argument(
            "--out", metavar="FILE", help="write the schema to FILE (for editors: point a spec's "
            "'# yaml-language-server: $schema=' header at it) instead of printing it")
    add_examples(parser)


def _walk(parser, prefix: str = ""):
    yield prefix, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                yield from _walk(child, f"{prefix} {name}".strip())


def add_examples(parser) -> None:
    for name, p in _walk(parser):
        example = EXAMPLES.get(name)
        if example is None:
            continue
        p.formatter_class = argparse.RawDescriptionHelpFormatter
        p.epilog = (p.epilog + "\n\n" if p.epilog else "") + "example:\n  " + example


def commands(parser) -> dict:
    """command name -> (its parser, its options), for completion scripts."""
    out = {}
    for name, p in _walk(parser):
        opts = sorted(o for a in p._actions for o in a.option_strings)
        subs = [name for a in p._actions if isinstance(a, argparse._SubParsersAction)
                for name in a.choices]
        out[name] = (opts, sorted(subs))
    return out


def cmd_init(args) -> int:
    from .init import InitError, run
    try:
        return run(args)
    except InitError as exc:
        print(f"mplat: error: {exc}", file=sys.stderr)
        return exc.code


def cmd_explain(args) -> int:
    from pathlib import Path

    from . import explain
    target = args.target
    if args.path is None and not Path(target).is_file():
        text = explain.explain_rule(target)
        if text is None:
            from compiler.registry import docs
            from compiler.words import suggest
            close = suggest(target, docs())
            print(f"mplat: error: no rule '{target}' and no such spec file"
                  + (f"; did you mean '{close}'?" if close else "; mplat rules lists them"),
                  file=sys.stderr)
            return EXIT_USAGE
        print(text)
        return EXIT_OK
    if args.path is None:
        print("mplat: error: explain SPEC needs a PATH, e.g. kubernetes.replicas", file=sys.stderr)
        return EXIT_USAGE
    try:
        print(explain.explain_path(target, args.env, args.path))
    except explain.ExplainError as exc:
        print(f"mplat: error: {exc}", file=sys.stderr)
        return EXIT_ERRORS
    return EXIT_OK


def cmd_graph(args) -> int:
    from .graph import run
    return run(args)


def cmd_completion(args) -> int:
    from .completion import script
    print(script(args.shell, commands(_ROOT[0])))   # the parser that parsed this command
    return EXIT_OK


def cmd_schema(args) -> int:
    from compiler import schema
    text = schema.schema_text()
    if getattr(args, "out", None):
        from pathlib import Path
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
        print(f"wrote {out}", file=sys.stderr)
        return EXIT_OK
    sys.stdout.write(text)
    return EXIT_OK


COMMANDS = {"init": cmd_init, "explain": cmd_explain, "graph": cmd_graph,
            "completion": cmd_completion, "schema": cmd_schema}
