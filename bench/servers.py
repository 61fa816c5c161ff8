"""gunicorn as production runs it (one worker per core, the served checkout's gunicorn.conf.py:
threaded workers), started and stopped by the harness."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path


def cores() -> int:
    return len(os.sched_getaffinity(0))


def gunicorn() -> str:
    # The interpreter's own virtualenv; sys.executable is not resolved, so .venv/bin stays.
    return str(Path(sys.executable).parent / "gunicorn")


@contextmanager
def serving(app: str, *, port: int, workers: int, chdir: Path, env: dict, log: Path,
            ready_path: str = "/healthz", timeout: float = 90):
    """Run `gunicorn app` on 127.0.0.1:port until the block ends; ready when ready_path is 200."""
    command = [gunicorn(), app, "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
               "--chdir", str(chdir), "--worker-tmp-dir", "/dev/shm", "--error-logfile", str(log)]
    process = subprocess.Popen(command, env=env, cwd=chdir, stdout=subprocess.DEVNULL,
                               stderr=subprocess.STDOUT)
    try:
        _wait_until_ready(process, port, ready_path, timeout, log)
        yield process
    finally:
        _stop(process)


def _wait_until_ready(process, port, path, timeout, log):
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}:\n{_tail(log)}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
            last = str(exc)
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn on port {port} not ready after {timeout:g} s ({last}):\n"
                       f"{_tail(log)}")


def _stop(process):
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _tail(log: Path, lines: int = 30) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0
