"""Render Mermaid blocks in headless Chromium: ``python -m tools.mermaid_check FILE... [--png DIR]``.

Checks that every ```` ```mermaid ```` block of the given files (``mplat diff --format markdown``
output, or ``mplat graph`` output, which is one bare diagram) renders: each is put in an HTML page
with mermaid's own JavaScript, Chromium loads it headless and dumps the DOM, and a block passes
when it became an ``<svg>`` without mermaid's error diagram ("Syntax error in text"). With
``--png DIR`` it also writes a screenshot of each page. Exit 0 when all render, 1 otherwise, 2
when a tool is missing.

Neither tool is a dependency of mplat (they only check a picture people look at on GitHub):
- Chromium: the Debian package ``chromium`` (``apt-get update && apt-get install chromium``);
  ``$MPLAT_CHROMIUM`` selects another binary.
- mermaid's JavaScript: ``npm install mermaid@11`` anywhere; ``$MPLAT_MERMAID_JS`` points at its
  ``dist/mermaid.min.js`` (default: node_modules/mermaid/dist/mermaid.min.js of this checkout).
tests/test_newcomer.py runs it on the review golden's diff.md and a graph, and skips, naming the
missing tool, where either is absent.
"""
from __future__ import annotations

import argparse
import html
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BLOCK = re.compile(r"^```mermaid\n(.*?)^```", re.S | re.M)
PAGE = """<!doctype html><html><head><meta charset="utf-8"><script src="{js}"></script></head>
<body><pre class="mermaid">{diagram}</pre>
<script>
mermaid.initialize({{startOnLoad: false, securityLevel: "loose"}});
mermaid.run().then(() => document.body.setAttribute("data-done", "ok"),
                   e => document.body.setAttribute("data-done", "error: " + e));
</script></body></html>"""


def chromium() -> str | None:
    return os.environ.get("MPLAT_CHROMIUM") or shutil.which("chromium") or \
        shutil.which("chromium-browser")


def mermaid_js() -> Path | None:
    path = Path(os.environ.get("MPLAT_MERMAID_JS") or
                ROOT / "node_modules" / "mermaid" / "dist" / "mermaid.min.js")
    return path if path.is_file() else None


def diagrams(text: str) -> list[str]:
    blocks = BLOCK.findall(text)
    if blocks:
        return blocks
    stripped = text.strip()
    return [stripped] if stripped.startswith(("flowchart", "graph")) else []


def _browser(binary: str, page: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([binary, "--headless", "--no-sandbox", "--disable-gpu",
                           "--allow-file-access-from-files", "--virtual-time-budget=20000",
                           *extra, page.as_uri()], capture_output=True, text=True, timeout=180)


def render(diagram: str, binary: str, js: Path, png: Path | None = None) -> tuple[bool, str]:
    """(rendered, why not) for one diagram; a screenshot into ``png`` when given."""
    with tempfile.TemporaryDirectory(prefix="mplat-mermaid-") as tmp:
        page = Path(tmp) / "page.html"
        page.write_text(PAGE.format(js=js.as_uri(), diagram=html.escape(diagram)),
                        encoding="utf-8")
        dom = _browser(binary, page, "--dump-dom").stdout
        if png is not None:
            _browser(binary, page, f"--screenshot={png}", "--window-size=1600,1200")
    if 'data-done="ok"' not in dom:
        found = re.search(r'data-done="([^"]*)"', dom)
        return False, found.group(1) if found else "mermaid did not finish"
    if "<svg" not in dom or "Syntax error" in dom:
        return False, "mermaid drew its error diagram"
    return True, ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.mermaid_check", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--png", type=Path, metavar="DIR", help="write a screenshot per diagram")
    args = parser.parse_args(argv)
    binary, js = chromium(), mermaid_js()
    if binary is None or js is None:
        print("mermaid_check: " + ("no chromium (apt-get install chromium, or $MPLAT_CHROMIUM)"
                                   if binary is None else "no mermaid.min.js (npm install mermaid;"
                                   " $MPLAT_MERMAID_JS)"), file=sys.stderr)
        return 2
    failed = 0
    for file in args.files:
        for n, diagram in enumerate(diagrams(file.read_text(encoding="utf-8"))):
            png = None
            if args.png:
                args.png.mkdir(parents=True, exist_ok=True)
                png = args.png / f"{file.stem}-{n}.png"
            ok, why = render(diagram, binary, js, png)
            print(f"{file} diagram {n}: {'renders' if ok else 'FAILS: ' + why}"
                  + (f" ({png})" if png else ""))
            failed += not ok
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
