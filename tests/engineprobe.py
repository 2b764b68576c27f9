"""One helper for "this command never loads the engine": run Python code in a fresh interpreter and
report which modules it loaded, against the one list ``generators.runtime.ENGINE_MODULES``.

``probe(code, *argv)`` runs ``code`` (``sys.argv[1:]`` is ``argv``) and, at exit, whatever the
code did, records the top-level modules it loaded; ``assert_engine_not_loaded(result)`` fails with
the offending modules. The probe itself imports nothing of mplat (``ENGINE_MODULES`` is written
into it as a literal), so it never loads ``generators`` on its own.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from generators.runtime import ENGINE_MODULES  # noqa: E402  (runtime never imports the engine)

_MARK = "MPLAT-PROBE-MODULES "
_PRELUDE = (
    "import atexit as _a, sys as _s\n"
    "def _report():\n"
    "    import json\n"
    f"    _s.stderr.write({_MARK!r} + json.dumps(sorted(_s.modules))"
    " + '\\n')\n"
    "_a.register(_report)\n")


@dataclass
class Probe:
    returncode: int
    stdout: str
    stderr: str
    names: set[str]                # every module loaded (full names)

    @property
    def modules(self) -> set[str]:
        """The top-level modules loaded."""
        return {name.split(".")[0] for name in self.names}

    @property
    def engine(self) -> set[str]:
        """The engine's modules (``ENGINE_MODULES``) that were loaded."""
        return self.modules & set(ENGINE_MODULES)

    def __str__(self) -> str:
        return f"rc={self.returncode}\n{self.stdout}\n{self.stderr[-3000:]}"


def probe(code: str, *argv, env: dict | None = None, cwd: Path | str = ROOT,
          timeout: float = 600) -> Probe:
    """Run ``code`` in a fresh interpreter (``env`` added to the environment, ROOT importable)."""
    environ = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    done = subprocess.run([sys.executable, "-c", _PRELUDE + code, *map(str, argv)], cwd=cwd,
                          env=environ, capture_output=True, text=True, timeout=timeout)
    lines = [line for line in done.stderr.splitlines() if line.startswith(_MARK)]
    assert lines, f"the probe did not report its modules:\n{done.stdout}\n{done.stderr[-3000:]}"
    stderr = "\n".join(line for line in done.stderr.splitlines() if not line.startswith(_MARK))
    return Probe(done.returncode, done.stdout, stderr, set(json.loads(lines[-1][len(_MARK):])))


def cli(*argv, env: dict | None = None, cwd: Path | str = ROOT, timeout: float = 600) -> Probe:
    """``mplat ARGV`` in a fresh interpreter, through ``mplat.cli.main``."""
    return probe("import sys\nfrom mplat.cli import main\nsys.exit(main(sys.argv[1:]))\n",
                 *argv, env=env, cwd=cwd, timeout=timeout)


def assert_engine_not_loaded(result: Probe) -> None:
    assert not result.engine, f"engine modules loaded: {sorted(result.engine)}\n{result}"
