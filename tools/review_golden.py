"""Golden outputs of ``mplat diff`` and ``mplat affected`` (``make golden`` writes them).

One scenario, in a git repository built in a temporary directory from tests/data/review/: the base
commit holds ``base/specs`` (shop with dev and prod, legacy), the head commit ``head/specs`` (prod's
replicas and model bucket changed, legacy removed, search added). Commits have fixed authors and
dates, so their hashes, and the outputs, are the same on every machine.
"""
from __future__ import annotations

import contextlib
import io
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "review"
GOLDEN = ROOT / "tests" / "golden" / "review"

GIT_ENV = {
    "GIT_AUTHOR_NAME": "mplat", "GIT_AUTHOR_EMAIL": "mplat@example.com",
    "GIT_COMMITTER_NAME": "mplat", "GIT_COMMITTER_EMAIL": "mplat@example.com",
    "GIT_AUTHOR_DATE": "2026-01-01T00:00:00+0000", "GIT_COMMITTER_DATE": "2026-01-01T00:00:00+0000",
    "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull,
}

# golden file -> mplat arguments (run in the scenario repository)
RUNS = {
    "diff.txt": ["diff", "--base", "base"],
    "diff.md": ["diff", "--base", "base", "--format", "markdown"],
    "diff.json": ["diff", "--base", "base", "--format", "json"],
    "affected.txt": ["affected", "--base", "base"],
    "affected.json": ["affected", "--base", "base", "--format", "json"],
    "affected-matrix.json": ["affected", "--base", "base", "--format", "github-matrix"],
}


def git(repo: Path, *args: str) -> str:
    proc = subprocess.run(["git", "-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false", *args],
                          cwd=repo, env={**os.environ, **GIT_ENV}, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)}: {proc.stderr}")
    return proc.stdout


def commit_tree(repo: Path, source: Path, message: str) -> None:
    """Make the repository's specs/ exactly ``source``/specs and commit everything."""
    shutil.rmtree(repo / "specs", ignore_errors=True)
    shutil.copytree(source / "specs", repo / "specs")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", message)


def scenario(root: Path) -> Path:
    repo = root / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    commit_tree(repo, DATA / "base", "base")
    git(repo, "tag", "base")
    commit_tree(repo, DATA / "head", "head")
    return repo


def run_mplat(repo: Path, argv: list[str]) -> tuple[int, str, str]:
    """``mplat argv`` in this process with ``repo`` as working directory: (exit code, out, err)."""
    from mplat import cli
    out, err = io.StringIO(), io.StringIO()
    cwd = os.getcwd()
    os.chdir(repo)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = cli.main(argv)
    finally:
        os.chdir(cwd)
    return code, out.getvalue(), err.getvalue()


def outputs() -> dict[str, tuple[int, str]]:
    with tempfile.TemporaryDirectory(prefix="mplat-review-golden-") as tmp:
        repo = scenario(Path(tmp))
        return {name: run_mplat(repo, argv)[:2] for name, argv in RUNS.items()}


def main() -> int:
    GOLDEN.mkdir(parents=True, exist_ok=True)
    for name, (code, text) in outputs().items():
        target = GOLDEN / name
        old = target.read_text() if target.exists() else None
        if text != old:
            target.write_text(text)
            print(f"{'updated' if old is not None else 'created'} {target.relative_to(ROOT)} "
                  f"(exit {code})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
