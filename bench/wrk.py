"""Load from a separate process: wrk, with a Lua script that rotates paths and reports JSON."""

import json
import os
import re
import shutil
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path

# wrk calls done() once at the end; its figures come back as one JSON line.
_SCRIPT = """
local paths = {%(paths)s}
local started = 0
function setup(thread)
  thread:set("offset", started * 37)
  started = started + 1
end
local i = 0
function request()
  i = i + 1
  return wrk.format("GET", paths[((i + (offset or 0)) %% #paths) + 1])
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests":%%d,"duration_us":%%d,"bytes":%%d,"p50_us":%%d,"p99_us":%%d,' ..
    '"mean_us":%%.1f,"max_us":%%d,"connect":%%d,"read":%%d,"write":%%d,"status":%%d,"timeout":%%d}\\n',
    summary.requests, summary.duration, summary.bytes, latency:percentile(50),
    latency:percentile(99), latency.mean, latency.max, e.connect, e.read, e.write, e.status,
    e.timeout))
end
"""


@dataclass
class Load:
    duration: float  # seconds
    connections: int
    threads: int


@dataclass
class Figures:
    requests: int
    rps: float
    p50_ms: float | None
    p99_ms: float | None
    mean_ms: float | None
    errors: int  # non-2xx answers, timeouts and socket errors

    def as_dict(self) -> dict:
        return asdict(self)


def ensure_wrk() -> str:
    """wrk's path; installs Debian's package when it is missing and we may, else stops."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
        if subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], **quiet).returncode != 0:
            subprocess.run(["apt-get", "update", "-q"], **quiet)
            subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], **quiet)
        found = shutil.which("wrk")
        if found:
            return found
    raise SystemExit("wrk is not installed and could not be installed here: "
                     "install it (Debian: apt-get install wrk) and run again.")


def version(wrk: str) -> str:
    """e.g. "wrk 4.1.0" (wrk -v prints its version and a usage text, and exits 1)."""
    out = subprocess.run([wrk, "-v"], capture_output=True, text=True)
    match = re.search(r"wrk (?:\S*/)?([0-9][^\s-]*)", out.stdout + out.stderr)
    return f"wrk {match.group(1)}" if match else "wrk"


def run(wrk: str, port: int, paths: list[str], load: Load, workdir: Path) -> Figures:
    """Drive http://127.0.0.1:port with the paths in turn for load.duration seconds."""
    script = workdir / "wrk-script.lua"
    script.write_text(_SCRIPT % {"paths": ", ".join(json.dumps(p) for p in paths)})
    command = [wrk, "--latency", "--timeout", "60s", "-t", str(load.threads),
               "-c", str(load.connections), "-d", f"{load.duration:g}s", "-s", str(script),
               f"http://127.0.0.1:{port}{paths[0]}"]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next((row for row in out.splitlines() if row.startswith("BENCH_RESULT ")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no result:\n{out}")
    raw = json.loads(line.removeprefix("BENCH_RESULT "))
    errors = sum(raw[k] for k in ("connect", "read", "write", "status", "timeout"))
    seconds = raw["duration_us"] / 1e6
    if not raw["requests"]:  # nothing finished in time: no latencies to speak of
        return Figures(requests=0, rps=0.0, p50_ms=None, p99_ms=None, mean_ms=None,
                       errors=errors)
    return Figures(requests=raw["requests"], rps=raw["requests"] / seconds,
                   p50_ms=raw["p50_us"] / 1000, p99_ms=raw["p99_us"] / 1000,
                   mean_ms=raw["mean_us"] / 1000, errors=errors)
