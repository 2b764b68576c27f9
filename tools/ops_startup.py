"""Start-up time of the operational commands: process start -> their first AWS request.

``python -m tools.ops_startup [--runs N]`` runs each command N times against a local HTTP listener
(AWS_ENDPOINT_URL=http://127.0.0.1:PORT, fake credentials), and prints the median time from
starting the process to the arrival of its first request (the STS GetCallerIdentity that every
command sends first), and the CPU time the process used until then (less sensitive to a busy
machine than the wall time). The process is stopped as soon as that request arrives: nothing
reaches AWS.
The spec is specs/fraud-detector.yaml (three environments, every section).
"""
from __future__ import annotations

import argparse
import http.server
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = "specs/fraud-detector.yaml"
COMMANDS = {
    "models history": ["models", "history", SPEC, "--env", "staging"],
    "models rollback": ["models", "rollback", SPEC, "--env", "staging", "--steps", "1"],
    "restore": ["restore", SPEC, "--env", "staging", "--at", "1h ago"],
    "restore status": ["restore", "status", "job-1", "--region", "us-east-1"],
    "verify": ["verify", SPEC, "--env", "staging"],
    "changes": ["changes", SPEC, "--env", "staging"],
}


class _Listener(http.server.BaseHTTPRequestHandler):
    arrived = threading.Event()

    def _any(self):
        type(self).arrived.set()
        self.send_response(500)
        self.end_headers()

    do_POST = do_GET = do_PUT = _any

    def log_message(self, *args):
        pass


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def first_request_seconds(argv: list[str], port: int) -> tuple[float, float]:
    _Listener.arrived.clear()
    env = {**os.environ, "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}",
           "AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x", "AWS_CONFIG_FILE": os.devnull,
           "AWS_SHARED_CREDENTIALS_FILE": os.devnull, "AWS_EC2_METADATA_DISABLED": "true"}
    mplat = str(Path(sys.executable).parent / "mplat")
    started = time.perf_counter()
    proc = subprocess.Popen([mplat, *argv], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        if not _Listener.arrived.wait(60):
            raise RuntimeError(f"no request from mplat {' '.join(argv)}")
        wall = time.perf_counter() - started
        return wall, _cpu_seconds(proc.pid)
    finally:
        proc.kill()
        proc.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Listener)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    for name, argv in COMMANDS.items():
        runs = [first_request_seconds(argv, port) for _ in range(args.runs)]
        wall = [w for w, _ in runs]
        cpu = [c for _, c in runs]
        print(f"{name:<16} wall median {statistics.median(wall):.3f}s (min {min(wall):.3f}s)  "
              f"CPU median {statistics.median(cpu):.2f}s  ({args.runs} runs)")
    print(f"load average: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    server.shutdown()


if __name__ == "__main__":
    main()
