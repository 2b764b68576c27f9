"""Arguments of `mplat models`, `mplat restore`, `mplat verify` and `mplat changes`.

This module imports only argparse-level things: mplat/cli.py (the face) registers these commands on every
run, and `validate`/`synth` must not pay for boto3. Each command imports its module (and boto3)
when it runs.
"""
from __future__ import annotations

import sys

from compiler.exits import EXIT_ERRORS


def _aws_options(p) -> None:
    p.add_argument("--profile", metavar="NAME",
                   help="AWS profile (default: boto3's standard chain)")
    p.add_argument("--region", metavar="REGION", help="AWS region (default: the spec's aws.region)")


def _spec_options(p) -> None:
    p.add_argument("spec", metavar="SPEC", help="the spec file")
    p.add_argument("--env", metavar="ENV", help="environment (required when the spec has them)")
    _aws_options(p)


def _serving_option(p) -> None:
    p.add_argument("--serving", choices=("kubernetes", "sagemaker"),
                   help="the served model to act on (required when the spec has both sections)")


def add_parsers(sub) -> None:
    """Add the operational commands to the subparsers of `mplat`."""
    m = sub.add_parser("models", help="list the served model's versions, or roll it back (AWS)")
    msub = m.add_subparsers(dest="models_command", metavar="ACTION", parser_class=type(m))
    msub.required = True
    h = msub.add_parser("history", help="versions of the model key, newest first; marks the "
                        "current and the pinned version")
    _spec_options(h)
    h.add_argument("--key", metavar="KEY", help="object key (default: kubernetes.model.key)")
    h.add_argument("--format", choices=("text", "json"), default="text")
    _serving_option(h)

    r = msub.add_parser("rollback", help="roll the model back: re-pin it in the spec (default) "
                        "or copy an old version onto the key")
    _spec_options(r)
    which = r.add_mutually_exclusive_group(required=True)
    which.add_argument("--to", metavar="VERSION",
                       help="this version id (sagemaker: this model package version)")
    which.add_argument("--steps", metavar="N", type=int,
                       help="pin mode: the pin N changes back in the spec's git history (what "
                            "was served); copy mode: N versions older than the current one")
    which.add_argument("--at", metavar="TIME",
                       help="pin mode: the pin in effect at TIME (git history); copy mode: the "
                            "version current at TIME (ISO 8601, no zone = UTC, or '2h ago')")
    r.add_argument("--mode", choices=("pin", "copy"), default="pin",
                   help="pin: rewrite kubernetes.model.version_id where it is written (default); "
                        "copy: S3 CopyObject of the version onto the key")
    r.add_argument("--from-uploads", action="store_true",
                   help="pin mode: count --steps/--at in S3's upload order instead of the pin's "
                        "history (it includes versions never served; a warning says so)")
    r.add_argument("--all-envs", action="store_true",
                   help="pin mode: when the pin is inherited from the shared base, edit the base "
                        "(re-pinning every environment that inherits it) instead of writing "
                        "this environment's own overlay")
    r.add_argument("--key", metavar="KEY", help="object key (default: kubernetes.model.key)")
    r.add_argument("--dry-run", action="store_true", help="print what would change, change nothing")
    r.add_argument("--yes", action="store_true", help="copy mode: do not ask for confirmation")
    _serving_option(r)

    s = sub.add_parser("restore", help="restore the model bucket to a point in time (AWS Backup); "
                       "'mplat restore status JOB' follows a restore job")
    s.add_argument("spec", metavar="SPEC", help="the spec file, or 'status' to follow a job")
    s.add_argument("job", metavar="JOB", nargs="?", help="(with 'status') the restore job id")
    s.add_argument("--env", metavar="ENV", help="environment (required when the spec has them)")
    s.add_argument("--at", metavar="TIME", help="the point in time (ISO 8601, or e.g. '2h ago')")
    s.add_argument("--to-bucket", metavar="NAME",
                   help="new bucket to restore into (default: <model bucket>-pitr-<YYYYMMDDhhmm>)")
    s.add_argument("--in-place", action="store_true",
                   help="restore into the model bucket itself (requires --yes)")
    s.add_argument("--yes", action="store_true", help="confirm --in-place")
    s.add_argument("--wait", action="store_true", help="(status) poll until the job ends")
    s.add_argument("--interval", type=float, default=30.0, metavar="SECONDS",
                   help="(status --wait) seconds between polls (default: 30)")
    _aws_options(s)

    v = sub.add_parser("verify", help="check rollback readiness against the live account; "
                       "with a directory and --all-envs, every stack as one table")
    v.add_argument("spec", metavar="SPEC", nargs="+",
                   help="the spec file; or spec files and directories with --all-envs")
    v.add_argument("--env", metavar="ENV", help="environment (required when the spec has them)")
    v.add_argument("--all-envs", action="store_true",
                   help="every stack of every spec given (the fleet view)")
    v.add_argument("--jobs", type=int, default=4, metavar="N",
                   help="--all-envs: stacks checked at a time (default: 4)")
    _aws_options(v)
    v.add_argument("--key", metavar="KEY", help="object key (default: kubernetes.model.key)")
    v.add_argument("--format", choices=("text", "json", "markdown"), default="text",
                   help="text (default), json, or markdown (--all-envs: a table to post)")
    v.add_argument("--require", metavar="CHECKS",
                   help="comma list of checks (versioning, versions, pinned, backup, config, "
                        "codedeploy) that fail instead of reading 'not configured' when the spec "
                        "lacks their section")
    _serving_option(v)

    c = sub.add_parser("changes", help="configuration history AWS Config recorded for the "
                       "stack's resources, newest first")
    _spec_options(c)
    c.add_argument("--since", metavar="DURATION", default="7d",
                   help="how far back (e.g. 12h, 7d, 2w; default: 7d)")
    c.add_argument("--format", choices=("text", "json"), default="text")


def _run(body, args) -> int:
    """Run a command body; every failure is one line on stderr and exit 1."""
    import os
    from .errors import OpsError
    try:
        return body(args)
    except OpsError as exc:
        print(f"mplat: error: {exc.message}", file=sys.stderr)
        return EXIT_ERRORS
    except (KeyboardInterrupt, BrokenPipeError):
        raise
    except Exception as exc:        # e.g. an answer botocore cannot parse: still one line
        if os.environ.get("MPLAT_DEBUG"):
            raise
        print(f"mplat: error: unexpected {type(exc).__name__}: {exc} (MPLAT_DEBUG=1 shows the "
              "traceback)", file=sys.stderr)
        return EXIT_ERRORS


def _session(args, target=None):
    from .aws import Aws
    region = args.region or (target.platform.region if target is not None else None)
    return Aws(region=region, profile=args.profile)


def _models(args) -> int:
    from . import models
    from .errors import OpsError
    from .target import resolve

    from .sagemaker import serving

    if args.models_command == "rollback":       # usage problems first: before any AWS call
        if args.steps is not None and args.steps < 1:
            raise OpsError(f"--steps {args.steps}: give a number of versions back, 1 or more")
        if args.at:
            from .timeutil import parse_time
            parse_time(args.at)
    target = resolve(args.spec, args.env)
    kind = serving(target, args.serving)
    aws = _session(args, target)
    aws.check_account(target.platform.account_id)
    if kind == "sagemaker":
        from . import sagemaker
        if args.models_command == "history":
            return sagemaker.history(aws, target, args.format)
        return sagemaker.rollback(aws, target, args)
    if args.models_command == "history":
        return models.history(aws, target, target.key(args.key), args.format)
    return models.rollback(aws, target, args)


def _restore(args) -> int:
    from . import restore
    from .errors import OpsError

    if args.spec == "status":
        if not args.job:
            raise OpsError("usage: mplat restore status JOB [--wait] [--region R] [--profile P]")
        if not args.interval >= 0:          # also NaN
            raise OpsError(f"--interval {args.interval:g}: give the seconds between polls, "
                           "0 or more")
        aws = _session(args)
        aws.check_account(None)
        return restore.status(aws, args.job, wait=args.wait, interval=args.interval)
    if args.job:
        raise OpsError(f"unexpected argument '{args.job}' (mplat restore SPEC --env E --at TIME)")
    if not args.at:
        raise OpsError("--at TIME is required: the point in time to restore to")
    from .timeutil import parse_time
    parse_time(args.at)              # a malformed TIME is a usage problem: say so before any AWS call
    if args.in_place and args.to_bucket:
        raise OpsError("--in-place restores into the model bucket; drop --to-bucket")
    if args.in_place and not args.yes:
        raise OpsError("--in-place writes into the live model bucket: confirm with --yes; "
                       "nothing changed")
    from .target import resolve

    target = resolve(args.spec, args.env)
    if target.platform.backup is not None:
        restore.check_destination(target, args.to_bucket)    # before any AWS call
    aws = _session(args, target)
    aws.check_account(target.platform.account_id)
    return restore.start(aws, target, at=args.at, to_bucket=args.to_bucket,
                         in_place=args.in_place)


def _verify(args) -> int:
    import os

    from . import verify
    from .errors import OpsError
    from .target import resolve

    from .sagemaker import served_checks, serving

    require = verify.parse_require(args.require)        # a usage problem: before any AWS call
    if args.all_envs:
        return _fleet(args, require)
    if len(args.spec) != 1 or args.format == "markdown":
        raise OpsError("several specs, a directory or --format markdown need --all-envs (the "
                       "fleet view); one stack: mplat verify SPEC [--env E]")
    args.spec = args.spec[0]
    if os.path.isdir(args.spec):
        raise OpsError(f"{args.spec} is a directory: pass --all-envs to verify every stack in it")
    target = resolve(args.spec, args.env)
    kind = serving(target, args.serving)
    aws = _session(args, target)
    aws.check_account(target.platform.account_id)
    return verify.run(aws, target, key=args.key, fmt=args.format, require=require,
                      served=served_checks((kind,)))


def _fleet(args, require) -> int:
    from . import fleet
    from .errors import OpsError
    from .target import resolve_all

    if args.env:
        raise OpsError("--all-envs checks every environment: drop --env")
    if args.jobs < 1:
        raise OpsError(f"--jobs {args.jobs}: give 1 or more")
    targets = resolve_all(args.spec)
    if not targets:
        raise OpsError(f"{' '.join(args.spec)}: no stack to verify")
    return fleet.run(targets, key=args.key, require=require, fmt=args.format, jobs=args.jobs,
                     session=lambda target: _session(args, target))


def _changes(args) -> int:
    from . import changes
    from .target import resolve
    from .timeutil import parse_duration

    since = parse_duration(args.since)
    target = resolve(args.spec, args.env)
    aws = _session(args, target)
    aws.check_account(target.platform.account_id)
    return changes.run(aws, target, since=since, fmt=args.format)


COMMANDS = {
    "models": lambda args: _run(_models, args),
    "restore": lambda args: _run(_restore, args),
    "verify": lambda args: _run(_verify, args),
    "changes": lambda args: _run(_changes, args),
}
