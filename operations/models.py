"""`mplat models history` and `mplat models rollback`: the versions of the served model key.

History lists the versions (and delete markers) of the key, newest first, marking the one that is
current (S3's IsLatest) and the one the spec pins.

Rollback picks a target version with exactly one of:

* ``--to VERSION`` — that version id;
* ``--steps N`` — pin mode: the pin N changes back in the git history of the spec file, for this
  environment (``operations.served``: what was served, not what was uploaded); copy mode: N
  versions older than the current one, counting only versions (delete markers are skipped);
* ``--at TIME`` — pin mode: the pin of the newest commit made at or before TIME; copy mode: the
  version that was current at TIME (the newest entry whose LastModified is at or before TIME;
  refused when that entry is a delete marker: the key did not exist then).

``--from-uploads`` makes pin mode count in S3's upload order instead, with a warning (it includes
versions that were uploaded and never served).

``--mode pin`` (default, GitOps) rewrites the pinned ``kubernetes.model.version_id`` in the file
(``operations.pin``): where it is written when that is the environment's own overlay (or a spec
without environments); when the pin is inherited from the shared base, a new
``kubernetes.model.version_id`` is added to the environment's own overlay, because a version id
belongs to one bucket and each environment has its own (``--all-envs`` edits the base line instead,
naming every environment it re-pins, before writing). It validates the edited text and prints the
diff; the next synth and apply roll the pods. ``--mode copy`` copies the version onto the key (S3
CopyObject with the version as source, the bucket's default encryption restated), after a
confirmation (``--yes`` for scripts). ``--dry-run`` only prints what would change.
Refused, with the reason: versioning not Enabled, an unknown version, a delete marker, a target that
is already pinned (pin) or already current (copy).
"""
from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from datetime import datetime

from compiler.exits import EXIT_OK

from .errors import OpsError
from .timeutil import iso, parse_time

COPY_OBJECT_MAX = 5 * 1024 ** 3     # CopyObject copies objects of up to 5 GB in one call


@dataclass(frozen=True)
class Version:
    version_id: str
    last_modified: datetime
    size: int | None
    etag: str | None
    is_latest: bool
    delete_marker: bool

    def as_dict(self, pinned: str | None) -> dict:
        return {"version_id": self.version_id, "last_modified": iso(self.last_modified),
                "size": self.size, "etag": self.etag, "delete_marker": self.delete_marker,
                "current": self.is_latest and not self.delete_marker,
                "pinned": self.version_id == pinned}


def versioning_status(aws, bucket: str) -> str:
    """``Enabled``, ``Suspended`` or ``Never enabled``."""
    answer = _s3(aws, "get_bucket_versioning", bucket, Bucket=bucket)
    return answer.get("Status") or "Never enabled"


def _no_such_bucket(aws, bucket: str) -> OpsError:
    account = (aws.identity or {}).get("Account", "?")
    return OpsError(f"bucket {bucket} does not exist in account {account} ({aws.region}): apply "
                    "the stack first (mplat synth; terraform apply)", code="NoSuchBucket")


def _s3(aws, operation: str, bucket: str, **params) -> dict:
    try:
        return aws.call("s3", operation, f"s3://{bucket}", **params)
    except OpsError as exc:
        if exc.code == "NoSuchBucket":
            raise _no_such_bucket(aws, bucket) from None
        raise


_ENTRY = re.compile(rb"<(Version|DeleteMarker)>(.*?)</\1>", re.S)
_FIELD = re.compile(rb"<(Key|VersionId)>(.*?)</\1>", re.S)


def _wire_order(client, order: list) -> str:
    """Record the order of <Version> and <DeleteMarker> entries as S3 sends them (newest first,
    interleaved: ListObjectVersions, S3 API reference). botocore parses them into two separate
    lists, which loses the order of a version and a delete marker written in the same second
    (LastModified has whole seconds). A ``before-parse`` handler (botocore's event system) reads
    the raw body; returns the handler's unique id, to unregister it."""
    from html import unescape

    def record(response_dict=None, **_):
        body = (response_dict or {}).get("body") or b""
        for _kind, inner in _ENTRY.findall(body):
            fields = {k.decode(): unescape(v.decode("utf-8", "replace"))
                      for k, v in _FIELD.findall(inner)}
            order.append((fields.get("Key"), fields.get("VersionId") or "null"))

    uid = f"mplat-version-order-{id(order)}"
    client.meta.events.register("before-parse.s3.ListObjectVersions", record, unique_id=uid)
    return uid


def list_versions(aws, bucket: str, key: str) -> list[Version]:
    """Every version and delete marker of exactly ``key``, newest first, in S3's own order."""
    entries: list[tuple[Version, int]] = []
    order: list = []
    client = aws.client("s3")
    uid = _wire_order(client, order)
    try:
        for page in aws.pages("s3", "list_object_versions", f"s3://{bucket}/{key}",
                              Bucket=bucket, Prefix=key):
            for kind, delete_marker in (("Versions", False), ("DeleteMarkers", True)):
                for item in page.get(kind) or ():
                    if item.get("Key") != key:
                        continue
                    entries.append((Version(
                        version_id=item.get("VersionId") or "null",
                        last_modified=item["LastModified"],
                        size=None if delete_marker else item.get("Size"),
                        etag=None if delete_marker else item.get("ETag"),
                        is_latest=bool(item.get("IsLatest")),
                        delete_marker=delete_marker), len(entries)))
    except OpsError as exc:
        if exc.code == "NoSuchBucket":
            raise _no_such_bucket(aws, bucket) from None
        raise
    finally:
        client.meta.events.unregister("before-parse.s3.ListObjectVersions", unique_id=uid)
    # newest first by time; within one second, the latest first, then the order S3 sent them in
    # (the wire order; parsed-list order when it was not seen)
    rank = {vid: i for i, (k, vid) in enumerate(order) if k == key}
    entries.sort(key=lambda e: (-e[0].last_modified.timestamp(), not e[0].is_latest,
                                rank.get(e[0].version_id, len(rank) + e[1])))
    return [v for v, _ in entries]


@dataclass(frozen=True)
class Expiry:
    """What the model bucket's lifecycle rule does to one noncurrent version (S3 lifecycle:
    NewerNoncurrentVersions keeps the newest ``keep`` noncurrent versions; an older one expires
    ``expire_after_days`` days after it became noncurrent, i.e. after the next upload)."""
    newer_noncurrent: int            # noncurrent versions newer than this one
    beyond_keep: bool                # no longer among the newest ``keep``: it may expire
    expires: datetime | None         # when (None: never, or not while it stays within keep)

    def text(self, keep: int) -> str:
        if self.expires is not None:
            return (f"beyond keep ({self.newer_noncurrent} newer noncurrent versions, keep "
                    f"{keep}): the lifecycle rule expires it on {iso(self.expires)}")
        if self.beyond_keep:
            return f"beyond keep ({keep}), but noncurrent versions never expire"
        left = keep - self.newer_noncurrent
        return (f"kept by the lifecycle rule while it is among the newest {keep} noncurrent "
                f"versions ({left} more upload(s) and it may expire)")


EXPIRY_WARNING_DAYS = 7        # verify fails when a pinned version expires sooner than this


def expiry(versions: list[Version], version_id: str, artifacts) -> Expiry | None:
    """The lifecycle outlook of ``version_id``, or None when it is current (or not listed)."""
    from datetime import timedelta
    entries = list(versions)
    index = next((i for i, v in enumerate(entries) if v.version_id == version_id), None)
    if index is None or (entries[index].is_latest and not entries[index].delete_marker):
        return None
    if index == 0:
        return None
    newer = sum(1 for v in entries[1:index] if not v.delete_marker)
    became = entries[index - 1].last_modified          # the next upload made it noncurrent
    beyond = newer >= artifacts.keep
    when = None
    if beyond and artifacts.expire_after_days is not None:
        # S3 counts the days from when the version became noncurrent, rounded up to the next
        # midnight UTC (S3 user guide, "Lifecycle configuration elements", NoncurrentDays)
        due = became + timedelta(days=artifacts.expire_after_days)
        when = due.replace(hour=0, minute=0, second=0, microsecond=0)
        if when < due:
            when += timedelta(days=1)
    return Expiry(newer, beyond, when)


def require_versions(aws, bucket: str, key: str) -> list[Version]:
    versions = list_versions(aws, bucket, key)
    if not versions:
        raise OpsError(f"no object s3://{bucket}/{key}: the key has no versions (check --key "
                       "and kubernetes.model.key)", code="NoSuchKey")
    return versions


# -- history ------------------------------------------------------------------------------------
def history(aws, target, key: str, fmt: str, out=None) -> int:
    out = out or sys.stdout
    bucket = target.bucket
    status = versioning_status(aws, bucket)
    versions = require_versions(aws, bucket, key)
    pin = target.pin
    pinned = pin.version_id if pin is not None and pin.key == key else None
    before = _pinned_before(target, key, pinned)
    if fmt == "json":
        outlook = expiry(versions, pinned, target.platform.artifacts) if pinned else None
        json.dump({"bucket": bucket, "key": key, "versioning": status, "pinned": pinned,
                   "pinned_expires": iso(outlook.expires) if outlook and outlook.expires
                   else None,
                   "versions": [{**v.as_dict(pinned), "pinned_before": before.get(v.version_id)}
                                for v in versions]}, out, indent=2)
        out.write("\n")
        return EXIT_OK
    print(f"s3://{bucket}/{key} (versioning: {status}; newest first)", file=out)
    width = max(len(v.version_id) for v in versions)
    print(f"  {'VERSION ID':<{width}}  {'LAST MODIFIED':<20}  {'SIZE':>12}  ETAG", file=out)
    for v in versions:
        marks = []
        if v.is_latest and not v.delete_marker:
            marks.append("current")
        if v.version_id == pinned:
            marks.append("pinned")
        if v.version_id in before:
            marks.append(f"pinned before ({before[v.version_id]})")
        if v.delete_marker:
            line = (f"  {v.version_id:<{width}}  {iso(v.last_modified):<20}  {'-':>12}  "
                    "(delete marker)")
        else:
            line = (f"  {v.version_id:<{width}}  {iso(v.last_modified):<20}  {v.size:>12}  "
                    f"{(v.etag or '').strip(chr(34))}")
        print(line + (f"  <- {', '.join(marks)}" if marks else ""), file=out)
    if pinned is not None and pinned not in {v.version_id for v in versions}:
        print(f"warning: the pinned version {pinned} is not a version of this key "
              "(mplat verify checks this)", file=out)
    outlook = expiry(versions, pinned, target.platform.artifacts) if pinned else None
    if outlook is not None:
        print(f"pinned {pinned} is noncurrent: {outlook.text(target.platform.artifacts.keep)}",
              file=out)
    return EXIT_OK


def _pinned_before(target, key: str, pinned: str | None) -> dict[str, str]:
    """version id -> "<commit> <date>" of the commit that pinned it, for earlier pins of this
    stack (git history of the spec); {} outside git."""
    from . import served
    try:
        periods = served.periods(target)
    except OpsError:
        return {}
    return {p.version_id: p.label() for p in periods
            if p.key == key and p.version_id != pinned and p.since is not None}


# -- choosing the target ------------------------------------------------------------------------
def choose(versions: list[Version], *, to: str | None, steps: int | None, at: str | None,
           start: str | None, start_label: str, where: str) -> Version:
    by_id = {v.version_id: v for v in versions}
    if to is not None:
        chosen = by_id.get(to)
        if chosen is None:
            raise OpsError(f"unknown version {to}: it is not a version of {where} "
                           "(see mplat models history)", code="UnknownVersion")
    elif steps is not None:
        if steps < 1:
            raise OpsError("--steps must be 1 or more")
        real = [v for v in versions if not v.delete_marker]
        ids = [v.version_id for v in real]
        if start is None or start not in ids:
            raise OpsError(f"--steps counts back from the {start_label} version, and {where} has "
                           f"no such version ({start or 'none'}); use --to or --at",
                           code="UnknownVersion")
        index = ids.index(start) + steps
        if index >= len(real):
            older = len(real) - ids.index(start) - 1
            raise OpsError(f"cannot go back {steps} step(s): {where} has {older} version(s) older "
                           f"than the {start_label} version {start}")
        chosen = real[index]
    else:
        moment = parse_time(at)
        earlier = [v for v in versions if v.last_modified <= moment]
        if not earlier:
            oldest = versions[-1]
            raise OpsError(f"no version of {where} existed at {iso(moment)} (the oldest is from "
                           f"{iso(oldest.last_modified)})", code="UnknownVersion")
        chosen = earlier[0]
    if chosen.delete_marker:
        raise OpsError(f"{chosen.version_id} is a delete marker of {where}, not a model version; "
                       "choose a version (mplat models history)", code="DeleteMarker")
    return chosen


# -- rollback -----------------------------------------------------------------------------------
def rollback(aws, target, args, out=None) -> int:
    out = out or sys.stdout
    bucket = target.bucket
    key = target.key(args.key)
    where = f"s3://{bucket}/{key}"
    status = versioning_status(aws, bucket)
    if status != "Enabled":
        raise OpsError(f"versioning of {bucket} is {status}, not Enabled: old versions may be "
                       "gone, so mplat does not roll back (apply the stack to enable it)",
                       code="VersioningNotEnabled")
    versions = require_versions(aws, bucket, key)
    if args.mode == "pin":
        return _pin(target, key, versions, args, where, out)
    return _copy(aws, target, key, versions, args, where, out)


def validated_stacks(target, new_text: str) -> list:
    """The stacks of the edited spec text, validated exactly as `mplat validate` would
    (compiler.pipeline: partial checks and cross-spec rules included), before anything is
    written; an OpsError (nothing written) when it would not validate."""
    from compiler import pipeline
    from compiler.diagnostics import RENDERERS

    checked = pipeline.run_text(new_text, target.shown)
    if not checked.ok:
        print(RENDERERS["text"](checked.diagnostics), file=sys.stderr)
        raise OpsError(f"the edited {target.shown} would not validate; nothing written")
    return checked.stacks


def _pin(target, key: str, versions, args, where: str, out) -> int:
    from . import pin as pin_edit

    pin = target.pin
    if pin is None:
        raise OpsError(f"{target.shown}: the spec pins no model (kubernetes.model) to roll back; "
                       "use --mode copy")
    if args.key and args.key != pin.key:
        raise OpsError(f"--mode pin edits the pin of {pin.key}; --key {args.key} is another key")
    origin = ""
    if args.to is None and not args.from_uploads:
        # what was served: the pin's own git history, not S3's upload order (operations.served)
        from . import served
        period = served.previous(target, args.steps) if args.steps is not None \
            else served.at(target, parse_time(args.at))
        chosen = choose(versions, to=period.version_id, steps=None, at=None,
                        start=pin.version_id, start_label="pinned", where=where)
        origin = f", pinned before at {period.label()}"
    else:
        chosen = choose(versions, to=args.to, steps=args.steps, at=args.at, start=pin.version_id,
                        start_label="pinned", where=where)
        if args.from_uploads:
            print(f"warning: --from-uploads counted S3 uploads of {where}, which include "
                  "versions that were uploaded but never pinned (served); check "
                  f"{chosen.version_id} with mplat models history", file=sys.stderr)
    position = target.pin_position()
    if chosen.version_id == pin.version_id:
        raise OpsError(f"version {chosen.version_id} is already pinned "
                       f"({position.file}:{position.line})", code="AlreadyPinned")
    old_text = pin_edit.read_text(target.real)
    env = target.platform.env
    overlay = ((target.stack.data.get("environments") or {}).get(env) or {}) if env else {}
    inherited = env is not None and _pinned(overlay) is None
    if inherited and not args.all_envs:
        # the pin comes from the shared base: a version id belongs to one bucket, and each
        # environment has its own, so the rollback goes into this environment's own overlay
        place = f"{target.shown}: environments.{env}.kubernetes.model.version_id (new)"
        new_text = pin_edit.set_in_overlay(old_text, env, ("kubernetes", "model", "version_id"),
                                           chosen.version_id, target.shown)
    else:
        place = f"{position.file}:{position.line}:{position.col}"
        new_text = pin_edit.replace_at(old_text, position.line, position.col, chosen.version_id,
                                       place)

    after = {s.name: _pinned(s.data) for s in validated_stacks(target, new_text)}
    if after.get(target.stack.name) != chosen.version_id:
        raise OpsError(f"{place}: the edit did not change the pin of {target.stack.name}; "
                       "nothing written")
    others = sorted(s.name for s in target.stacks
                    if s.name != target.stack.name and _pinned(s.data) != after.get(s.name))
    if others and not args.all_envs:
        raise OpsError(f"{place}: the edit would also re-pin {', '.join(others)}; a version id "
                       "belongs to one bucket: pass --all-envs if that is meant; nothing written")

    out.write(pin_edit.unified_diff(old_text, new_text, target.shown))
    summary = (f"pin {pin.version_id} -> {chosen.version_id} "
               f"(last modified {iso(chosen.last_modified)}{origin}) at {place}")
    outlook = expiry(versions, chosen.version_id, target.platform.artifacts)
    if outlook is not None:
        print(f"note: {chosen.version_id} is noncurrent: "
              f"{outlook.text(target.platform.artifacts.keep)}", file=out)
    if others:
        summary += f"; this line also pins {', '.join(others)} (--all-envs)"
    if args.dry_run:
        print(f"dry run: would {summary}; nothing written", file=out)
        return EXIT_OK
    print(f"{summary}; validated. Next: review and commit, then mplat synth and apply to roll "
          "the pods", file=out, flush=True)          # said before the file changes
    pin_edit.write_text(target.real, new_text)
    return EXIT_OK


def _pinned(data) -> str | None:
    model = ((data or {}).get("kubernetes") or {}).get("model")
    if not isinstance(model, dict) or model.get("version_id") is None:
        return None
    value = model["version_id"]
    return value if isinstance(value, str) else str(value)


def _copy(aws, target, key: str, versions, args, where: str, out) -> int:
    bucket = target.bucket
    current = next((v for v in versions if v.is_latest and not v.delete_marker), None)
    if current is None and args.steps is not None:
        raise OpsError(f"{where} is deleted (its newest entry is a delete marker): --steps has "
                       "no current version to count from; use --to or --at", code="DeleteMarker")
    chosen = choose(versions, to=args.to, steps=args.steps, at=args.at,
                    start=current.version_id if current else None, start_label="current",
                    where=where)
    if current is not None and chosen.version_id == current.version_id:
        raise OpsError(f"version {chosen.version_id} is already the current version of {where}",
                       code="AlreadyCurrent")
    if chosen.size is not None and chosen.size > COPY_OBJECT_MAX:
        raise OpsError(f"version {chosen.version_id} is {chosen.size} bytes, more than CopyObject "
                       "copies (5 GB); use --mode pin", code="TooLarge")
    params = {"Bucket": bucket, "Key": key, "MetadataDirective": "COPY",
              "TaggingDirective": "COPY",
              "CopySource": {"Bucket": bucket, "Key": key, "VersionId": chosen.version_id}}
    params.update(_bucket_encryption(aws, bucket))
    action = (f"copy version {chosen.version_id} (last modified {iso(chosen.last_modified)}) onto "
              f"{where}, making it the current version")
    if args.dry_run:
        print(f"dry run: would {action}; nothing changed", file=out)
        return EXIT_OK
    if not args.yes and not _confirm(f"{action}. Continue? [y/N] "):
        raise OpsError("not confirmed; nothing changed (pass --yes to skip the question)",
                       code="NotConfirmed")
    # the key may have changed while the question was open (or since the listing): what was
    # chosen and confirmed must still hold, or nothing is copied
    again = list_versions(aws, bucket, key)
    now_current = next((v for v in again if v.is_latest and not v.delete_marker), None)
    seen = current.version_id if current else None
    if (now_current.version_id if now_current else None) != seen or \
            chosen.version_id not in {v.version_id for v in again if not v.delete_marker}:
        raise OpsError(f"{where} changed since it was listed (current version now "
                       f"{now_current.version_id if now_current else 'none'}, was "
                       f"{seen or 'none'}); nothing copied: run the rollback again",
                       code="Changed")
    answer = aws.call("s3", "copy_object", where, **params)
    print(f"copied {chosen.version_id} onto {where}: the new current version is "
          f"{answer.get('VersionId')}", file=out)
    pin = target.pin
    if pin is not None and pin.key == key:
        print(f"note: the spec pins version {pin.version_id}; pods keep serving that version "
              "until the pin changes (mplat models rollback --mode pin)", file=out)
    return EXIT_OK


def _bucket_encryption(aws, bucket: str) -> dict:
    """The bucket's default encryption, restated on the copy (SSE-KMS key and bucket key kept)."""
    try:
        answer = aws.call("s3", "get_bucket_encryption", f"s3://{bucket}", Bucket=bucket)
    except OpsError as exc:
        if exc.code == "ServerSideEncryptionConfigurationNotFoundError":
            return {}
        raise
    rules = (answer.get("ServerSideEncryptionConfiguration") or {}).get("Rules") or []
    if not rules:
        return {}
    default = rules[0].get("ApplyServerSideEncryptionByDefault") or {}
    algorithm = default.get("SSEAlgorithm")
    if algorithm in ("aws:kms", "aws:kms:dsse"):
        params = {"ServerSideEncryption": algorithm}
        if default.get("KMSMasterKeyID"):
            params["SSEKMSKeyId"] = default["KMSMasterKeyID"]
        if rules[0].get("BucketKeyEnabled"):
            params["BucketKeyEnabled"] = True
        return params
    if algorithm == "AES256":
        return {"ServerSideEncryption": "AES256"}
    return {}


def _confirm(question: str) -> bool:
    if not sys.stdin or not sys.stdin.isatty():
        raise OpsError("copy mode changes the object pods download: confirm with --yes "
                       "(stdin is not a terminal); nothing changed", code="NotConfirmed")
    try:
        return input(question).strip().lower() in ("y", "yes")
    except EOFError:
        return False
