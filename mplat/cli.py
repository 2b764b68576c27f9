"""The `mplat` command (the face): validate, synth, diff, affected, rules, schema; and the operational
commands (models, restore, verify, changes: operations/, boto3) registered from operations.cli.

The one module that knows every floor: compiler/, generators/, operations/ and review/ are all
imported from here, and none of them imports this module.

`validate` and `rules` and `schema` never import the CDK engine; `synth` imports the generators only
after validation has passed.
"""
from __future__ import annotations

import argparse
import sys
import time

from compiler.diagnostics import RENDERERS, Diagnostic, has_errors
from compiler.exits import EXIT_ERRORS, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE

# pipeline, schema, rules and load (YAML, JSON Schema) are imported by the commands that use them:
# a `mplat synth` with nothing changed replays its last run from the cache without them.

DEFAULT_PATHS = ["specs"]


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # usage errors exit 2 with one line, never a traceback
        self.print_usage(sys.stderr)
        print(f"mplat: error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="mplat", description="The model-platform compiler: validate specs/*.yaml and "
                "synthesize Terraform (CDK for Terraform) from them.")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    v = sub.add_parser("validate", help="check specs and report every problem (no Node, no engine)")
    v.add_argument("paths", nargs="*", metavar="PATH", help="spec files or directories (default: specs/)")
    v.add_argument("--format", choices=sorted(RENDERERS), default="text",
                   help="output format: text (default), json or github (workflow annotations)")

    s = sub.add_parser("synth", help="validate, then write cdk.tf.json per stack")
    s.add_argument("paths", nargs="*", metavar="PATH", help="spec files or directories (default: specs/)")
    s.add_argument("--out", default="cdktf.out", metavar="DIR", help="output directory (default: cdktf.out)")
    s.add_argument("--format", choices=sorted(RENDERERS), default="text",
                   help="format of diagnostics when validation fails")
    s.add_argument("--no-cache", action="store_true", help="rebuild every stack, ignoring the synth cache")

    _review_parsers(sub)
    r = sub.add_parser("rules", help="list every rule id with its one-line doc")
    r.add_argument("--sources", action="store_true",
                   help="add the page each rule's limit comes from (AWS or Kubernetes docs)")
    sub.add_parser("schema", help="print the JSON Schema of the spec language")
    from operations import cli as operations_cli   # argparse only: boto3 loads when a command runs
    operations_cli.add_parsers(sub)
    from newcomer import cli as newcomer_cli   # init, explain, graph, completion, --version, ...
    newcomer_cli.register(p, sub)              # last: it adds every --help's example
    return p


def _review_parsers(sub) -> None:
    """``diff`` and ``affected`` (the review package; imported only when one of them runs)."""
    base_help = ("git revision to compare with (default: the merge-base of HEAD with the default "
                 "branch: origin/HEAD, else origin/main, origin/master, main, master)")
    d = sub.add_parser("diff", help="what the spec changes do to each stack, against a git "
                       "revision; exit 3 on a destructive change")
    d.add_argument("paths", nargs="*", metavar="PATH", help="spec files or directories (default: specs/)")
    d.add_argument("--base", metavar="REF", help=base_help)
    d.add_argument("--format", choices=["text", "markdown", "json"], default="text",
                   help="text (default), markdown (a pull-request comment) or json")
    d.add_argument("--allow-destroy", metavar="REASON",
                   help="accept destructive changes (exit 0); the reason is echoed into the output")
    a = sub.add_parser("affected", help="stacks whose synthesized output differs from a git "
                       "revision (for CI matrices)")
    a.add_argument("paths", nargs="*", metavar="PATH", help="spec files or directories (default: specs/)")
    a.add_argument("--base", metavar="REF", help=base_help)
    a.add_argument("--format", choices=["text", "json", "github-matrix"], default="text",
                   help="text (default), json, or github-matrix (JSON for strategy.matrix)")
    a.add_argument("--out", default="cdktf.out", metavar="DIR",
                   help="the synth output directory the stack directories are listed in")


def cmd_diff(args) -> int:
    from review.cli import cmd_diff as run
    return run(args)


def cmd_affected(args) -> int:
    from review.cli import cmd_affected as run
    return run(args)


def all_rule_docs() -> dict[str, str]:
    from compiler import registry      # every id any stage can print (compiler/registry.py)

    return registry.docs()


def _print_diagnostics(diagnostics, fmt: str, stream) -> None:
    out = RENDERERS[fmt](diagnostics)
    if out or fmt == "json":
        print(out, file=stream)


def _summary_line(result) -> str:
    """``2 file(s), 4 stack(s): 3 without errors, 1 with errors; 2 error(s), 1 warning(s)``."""
    from compiler.diagnostics import count
    errors, warnings = count(result.diagnostics)
    clean = {stack.name for stack in result.stacks}
    # a stack that passed its own checks can still fail a cross-spec rule
    crossed = clean & {name for d in result.diagnostics if d.severity == "error"
                       for name, _env in d.stacks}
    bad = result.stack_count - len(clean) + len(crossed)
    return (f"{len(result.files)} file(s), {result.stack_count} stack(s): "
            f"{result.stack_count - bad} without errors, {bad} with errors; "
            f"{errors} error(s), {warnings} warning(s)")


def cmd_validate(args) -> int:
    from compiler import pipeline

    result = pipeline.run(args.paths or DEFAULT_PATHS)
    _print_diagnostics(result.diagnostics, args.format, sys.stdout)
    if args.format == "text":
        print(_summary_line(result), file=sys.stderr)
    return EXIT_OK if result.ok else EXIT_ERRORS


def _print_summaries(summaries) -> None:
    for summary in summaries:
        kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(summary["resources"].items()))
        total = sum(summary["resources"].values())
        print(f"{summary['stack']}: {total} resources ({kinds})")


def _progress(message: str) -> None:
    print(message, file=sys.stderr)


def cmd_synth(args) -> int:
    started = time.monotonic()
    paths = args.paths or DEFAULT_PATHS
    if not args.no_cache:
        from generators import incremental  # never imports the engine itself
        from compiler.files import discover

        sources, found = discover(paths)
        replayed = None if has_errors(found) else incremental.replay(paths, sources, args.out,
                                                                      _progress)
        if replayed is None and len(sources) <= incremental.IN_PROCESS_MAX:
            # not a replay: stacks will most likely be built, in this process; the kernel starts
            # while the specs are validated (killed if it is not needed after all)
            from generators import engine
            engine.start_kernel_early()
        if replayed is not None:
            summaries, diagnostics = replayed
            if diagnostics:
                _print_diagnostics([Diagnostic(**d) for d in diagnostics], args.format, sys.stderr)
            _print_summaries(summaries)
            print(f"synthesized {len(summaries)} stack(s) in {time.monotonic() - started:.2f}s",
                  file=sys.stderr)
            return EXIT_OK

    from compiler import pipeline

    result = pipeline.run(paths, build_models=True)
    if not result.ok:
        _print_diagnostics(result.diagnostics, args.format, sys.stdout)
        print(_summary_line(result) + " - nothing synthesized", file=sys.stderr)
        return EXIT_ERRORS
    if result.diagnostics:
        _print_diagnostics(result.diagnostics, args.format, sys.stderr)
    print(f"validated {len(result.files)} file(s), {len(result.models)} stack(s) "
          f"in {time.monotonic() - started:.2f}s; synthesizing to {args.out}/stacks", file=sys.stderr)
    from generators.incremental import synth  # imports the engine only for stacks to build
    from generators.runtime import EngineUnavailable   # no Node.js: one line, not a traceback

    try:
        summaries = synth(result.stacks, result.models, args.out, use_cache=not args.no_cache,
                          progress=_progress,
                          run=(paths, result.sources, [d.as_dict() for d in result.diagnostics]))
    except EngineUnavailable as exc:
        print(f"mplat: error: {exc}", file=sys.stderr)
        return EXIT_ERRORS
    _print_summaries(summaries)
    print(f"synthesized {len(summaries)} stack(s) in {time.monotonic() - started:.2f}s",
          file=sys.stderr)
    return EXIT_OK


def cmd_rules(args) -> int:
    from compiler import registry

    rules = registry.rules()
    width = max(map(len, rules), default=0)
    for rule in sorted(rules):
        line = f"{rule:<{width}}  {rules[rule].doc}"
        if args.sources and rules[rule].source:
            line += f"  <{rules[rule].source}>"
        print(line)
    return EXIT_OK


def cmd_schema(args) -> int:
    from compiler import schema

    sys.stdout.write(schema.schema_text())
    return EXIT_OK


COMMANDS = {"validate": cmd_validate, "synth": cmd_synth, "rules": cmd_rules, "schema": cmd_schema,
            "diff": cmd_diff, "affected": cmd_affected}


def run() -> None:
    """The process entry point (the `mplat` script, `python -m mplat`): ``main``, then exit with
    its status; a process that started the engine skips Python's teardown
    (``generators.engine.exit_process``). Tests call ``main``."""
    code = main()
    engine = sys.modules.get("generators.engine")
    if engine is not None:
        engine.exit_process(code)
    raise SystemExit(code)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from newcomer.cli import COMMANDS as NEWCOMER       # init, explain, graph, completion, schema
    from operations.cli import COMMANDS as OPERATIONS   # models, restore, verify, changes (AWS)
    try:
        return {**COMMANDS, **OPERATIONS, **NEWCOMER}[args.command](args)
    except KeyboardInterrupt:
        print("mplat: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return EXIT_OK
    except OSError as exc:   # e.g. an output directory that cannot be written
        where = f": {exc.filename}" if exc.filename else ""
        print(f"mplat: error: {exc.strerror or exc}{where}", file=sys.stderr)
        return EXIT_ERRORS


if __name__ == "__main__":
    raise SystemExit(main())
