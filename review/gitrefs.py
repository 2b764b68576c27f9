"""The specs as they were at a git revision, read from the object database: ``git ls-tree`` and
``git cat-file``. Never a checkout, never the index: the user's working tree stays as it is.
"""
from __future__ import annotations

import hashlib
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from compiler.files import SPEC_SUFFIXES

# the branches tried, in order, when origin/HEAD does not name the default branch
FALLBACK_BRANCHES = ("origin/main", "origin/master", "main", "master")


class GitError(Exception):
    """A git problem the user must fix (not a repository, unknown revision): a usage error."""


# Every git call: ``--no-optional-locks`` (compiler/gitcmd.py says why).
from compiler.gitcmd import GIT  # noqa: E402


def git(args: list[str], cwd: str | Path | None = None, *, data: bytes | None = None) -> bytes:
    try:
        proc = subprocess.run([*GIT, *args], cwd=cwd, input=data, capture_output=True)
    except FileNotFoundError:
        raise GitError("git is not installed (mplat diff and affected read the base from git)") \
            from None
    if proc.returncode != 0:
        message = proc.stderr.decode(errors="replace").strip().splitlines()
        raise GitError(f"git {' '.join(args[:2])}: {message[-1] if message else 'failed'}")
    return proc.stdout


def toplevel(cwd: str | Path | None = None) -> Path:
    try:
        out = git(["rev-parse", "--show-toplevel"], cwd)
    except GitError:
        raise GitError("not inside a git repository: mplat compares the specs with a git "
                       "revision (run it in the repository that holds them)") from None
    return Path(out.decode().strip())


@dataclass(frozen=True)
class Base:
    ref: str           # what was asked, or how the default was found
    commit: str        # full hash
    how: str           # one line for the output: which revision and why

    @property
    def short(self) -> str:
        return self.commit[:12]


def _commit(ref: str, top: Path) -> str | None:
    try:
        return git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], top).decode().strip()
    except GitError:
        return None


def default_branch(top: Path) -> str | None:
    """origin/HEAD's branch (what `git clone` recorded), else the first of FALLBACK_BRANCHES."""
    try:
        head = git(["symbolic-ref", "--quiet", "refs/remotes/origin/HEAD"], top).decode().strip()
        return head.removeprefix("refs/remotes/")
    except GitError:
        pass
    return next((b for b in FALLBACK_BRANCHES if _commit(b, top)), None)


def resolve_base(ref: str | None, top: Path) -> Base:
    """The base revision: ``ref`` as given, or the merge-base of HEAD with the default branch."""
    if ref:
        commit = _commit(ref, top)
        if commit is None:
            raise GitError(f"--base {ref}: no such revision in this repository")
        return Base(ref, commit, f"{ref} ({commit[:12]})")
    if _commit("HEAD", top) is None:
        raise GitError("the repository has no commit yet: commit the specs first, or give --base")
    branch = default_branch(top)
    if branch is None:
        raise GitError("no default branch found (neither origin/HEAD nor "
                       f"{', '.join(FALLBACK_BRANCHES)}): give --base REF")
    try:
        commit = git(["merge-base", "HEAD", branch], top).decode().strip()
    except GitError:
        raise GitError(f"HEAD and {branch} have no common ancestor: give --base REF") from None
    return Base(branch, commit, f"merge-base of HEAD and {branch} ({commit[:12]})")


def repo_path(path: str | Path, top: Path) -> str:
    """``path`` (as given, relative to the working directory) relative to the repository root."""
    rel = os.path.relpath(os.path.realpath(path), os.path.realpath(top))
    if rel == ".." or rel.startswith(".." + os.sep):
        raise GitError(f"{path}: outside the git repository at {top}")
    return Path(rel).as_posix()


def spec_blobs(commit: str, given: list[str], top: Path) -> dict[str, str]:
    """Spec files under the given repository paths at ``commit``: repository path -> blob hash.
    The same selection as compiler.files.discover: *.yaml and *.yml, none below a hidden
    directory (relative to the path given)."""
    found: dict[str, str] = {}
    for path in given:
        pathspec = "." if path in ("", ".") else path
        out = git(["ls-tree", "-r", "-z", "--full-tree", commit, "--", pathspec], top)
        for entry in filter(None, out.split(b"\0")):
            meta, name = entry.decode("utf-8", "surrogateescape").split("\t", 1)
            _mode, kind, sha = meta.split()
            if kind != "blob" or not name.endswith(SPEC_SUFFIXES):
                continue
            inside = name if pathspec == "." else name[len(path):].lstrip("/")
            if name != path and any(part.startswith(".") for part in inside.split("/")):
                continue
            found[name] = sha
    return found


def read_blobs(shas: list[str], top: Path) -> dict[str, bytes]:
    """The contents of blobs, in one ``git cat-file --batch``."""
    if not shas:
        return {}
    out = git(["cat-file", "--batch"], top, data="".join(f"{s}\n" for s in shas).encode())
    blobs: dict[str, bytes] = {}
    pos = 0
    for sha in shas:
        end = out.index(b"\n", pos)
        header = out[pos:end].split()
        size = int(header[2])
        blobs[sha] = out[end + 1:end + 1 + size]
        pos = end + 1 + size + 1
    return blobs


def blob_hash(data: bytes) -> str:
    """The git object id of a file's bytes (what ``git hash-object`` prints without filters)."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def uncommitted(given: list[str], top: Path) -> list[str]:
    """Changes to the given paths not in HEAD (modified, added, deleted, untracked): `status` lines."""
    out = git(["status", "--porcelain=v1", "-z", "--untracked-files=all", "--",
               *[p or "." for p in given]], top)
    entries = out.split(b"\0")
    lines, i = [], 0
    while i < len(entries):
        entry = entries[i].decode("utf-8", "surrogateescape")
        i += 1
        if not entry:
            continue
        if entry[0] in "RC":           # a rename or copy is followed by its source path
            i += 1
        lines.append(entry)
    return lines
