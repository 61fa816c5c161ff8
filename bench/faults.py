"""Faults under load: every write the service acknowledged survives a killed worker, a restarted
database and a slow client, and the service comes back by itself.

    make faults        (FAULTS_ARGS="--writers 6 --seconds 30" to change the load)

The run starts a PostgreSQL server of its own (initdb into a temporary directory, loopback
only, trust authentication, a free port; as the postgres user when run as root), so the
shared server on 5432 is never touched, and removes it at the end, on an error or Ctrl-C too.
The app runs under gunicorn as deployed (bench/servers.py and gunicorn.conf.py, persistent
connections checked before reuse). For a fixed time, writer threads with API tokens create
claims and evidence, submit the claims and review them, while the script:

- kills a gunicorn worker with SIGKILL, twice (the master starts another);
- stops PostgreSQL (pg_ctl stop -m fast) and starts it again seconds later;
- holds a slow client: a POST sent one byte at a time over seconds.

/healthz is asked all along. Afterwards, read straight from the database: every write answered
2xx (with the uid in the body) must be there; nothing may be half-written (a claim, evidence
item or review without its history row or change-feed entry); /healthz must have answered 503
while the database was down and 200 after; writes must have been acknowledged again after the
faults. Prints writes attempted, acknowledged and found, and errors by kind; exits 1 when
anything acknowledged is missing or any of the rest fails.
"""

import argparse
import glob
import json
import os
import random
import secrets
import shutil
import signal
import socket
import string
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.client import HTTPException
from pathlib import Path
from types import SimpleNamespace

from bench import database, servers
from bench.mirror import prepare
from bench.run import REPO, say

WORKERS = 3
DATABASE = "curation_faults"


# --- a PostgreSQL server of the run's own ---


def _pg_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb is None:
        raise SystemExit("No PostgreSQL server programs (initdb, pg_ctl): install postgresql.")
    return Path(initdb).parent


class Cluster:
    """initdb, pg_ctl start/stop; owned by the postgres user when this runs as root (initdb
    refuses root). Listens on 127.0.0.1 only, its socket in its own directory."""

    def __init__(self, root: Path, port: int):
        self.root, self.port, self.bin = root, port, _pg_bin()
        self.data, self.log = root / "data", root / "postgres.log"
        self.url = f"postgres://postgres@127.0.0.1:{port}"

    def _run(self, program: str, *arguments: str, check: bool = True):
        command = [str(self.bin / program), *arguments]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=self.root)
        if check and done.returncode:
            raise RuntimeError(f"{program} failed ({done.returncode}): {done.stderr or done.stdout}")
        return done

    def create(self):
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        )

    def start(self):
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 "
            f"-c unix_socket_directories={self.root} -c max_connections=40"
        )
        self._run(
            "pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "-t", "60", "start"
        )

    def stop(self, mode: str = "fast", check: bool = True):
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop", check=check)


@contextmanager
def throwaway_cluster(keep: bool = False):
    root = Path(tempfile.mkdtemp(prefix="curation-faults-"))
    port = next(p for p in range(55432, 55532) if servers.port_is_free(p))
    cluster = Cluster(root, port)
    try:
        cluster.create()
        cluster.start()
        yield cluster
    finally:
        if keep:
            say(
                f"Kept: {cluster.url}/{DATABASE}; remove it with: pg_ctl -D {cluster.data} "
                f"stop (as postgres) && rm -r {root}"
            )
        else:
            if cluster.data.exists():
                cluster.stop("immediate", check=False)
            shutil.rmtree(root, ignore_errors=True)


# --- clients ---


@dataclass
class Tally:
    """Writes attempted and acknowledged, by kind; errors by kind; when each ack came."""

    started: float = field(default_factory=time.monotonic)
    attempted: Counter = field(default_factory=Counter)
    acknowledged: dict = field(default_factory=lambda: {k: [] for k in WRITE_KINDS})
    acked_at: list = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def now(self) -> float:
        return time.monotonic() - self.started

    def attempt(self, kind: str):
        with self.lock:
            self.attempted[kind] += 1

    def ack(self, kind: str, uid: str):
        with self.lock:
            self.acknowledged[kind].append(uid)
            self.acked_at.append(self.now())

    def error(self, kind: str):
        with self.lock:
            self.errors[kind] += 1


WRITE_KINDS = ("claim", "evidence", "submission", "review")


def call(base: str, token: str | None, method: str, path: str, body=None, timeout: float = 30):
    """(status, parsed body) or (None, error kind) when no HTTP answer came."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"{base}{path}", data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Token {token}")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            raw = answer.read()
            return answer.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as refused:
        refused.read()
        return refused.code, None
    except urllib.error.URLError as failed:
        reason = failed.reason
        if isinstance(reason, ConnectionRefusedError):
            return None, "connection refused"
        if isinstance(reason, TimeoutError | socket.timeout):
            return None, "timed out"
        return None, "connection dropped"
    except (ConnectionError, HTTPException, OSError) as failed:
        return None, "timed out" if isinstance(failed, TimeoutError) else "connection dropped"


class Writer(threading.Thread):
    """Claims with an evidence item each, submitted, then reviewed by the reviewer, paced, until
    the deadline; a step the service did not acknowledge ends that claim's round."""

    def __init__(
        self, number: int, base: str, keys: dict, refs: dict, tally: Tally, deadline: float, pause: float
    ):
        super().__init__(daemon=True)
        self.number, self.base, self.keys, self.refs = number, base, keys, refs
        self.tally, self.deadline, self.pause = tally, deadline, pause
        self.rng = random.Random(number)
        self.author = "curator" if number % 2 == 0 else "curator-2"

    def write(self, kind: str, method: str, path: str, body, who: str, acknowledged):
        self.tally.attempt(kind)
        status, content = call(self.base, self.keys[who], method, path, body)
        if status is None or not 200 <= status < 300:
            self.tally.error(content if status is None else f"HTTP {status}")
            time.sleep(0.25)  # as a client would before trying again
            return None
        uid = acknowledged(content)
        if uid:
            self.tally.ack(kind, uid)
        return content if uid else None

    def run(self):
        n = 0
        while self.tally.now() < self.deadline:
            n += 1
            self.round(n)
            time.sleep(self.pause)

    def round(self, n: int):
        uid = lambda content: (content or {}).get("uid")  # noqa: E731
        claim = self.write(
            "claim",
            "POST",
            "/api/v1/claims/",
            {
                "text": f"Sigma-1R agonism protects motor neurons, fault run {self.number}.{n}",
                "subject": "Sigma-1R agonist PRE-084",
                "relation": "increases",
                "object": "motor neuron survival",
                "context": "SOD1-G93A mouse",
            },
            self.author,
            uid,
        )
        if claim is None:
            return
        evidence = self.write(
            "evidence",
            "POST",
            "/api/v1/evidence/",
            {
                "claim": claim["id"],
                "paper": self.rng.choice(self.refs["papers"]),
                "evidence_type": self.rng.choice(self.refs["types"]),
                "direction": "supports",
                "location": f"Fig. {self.number}.{n}",
            },
            self.author,
            uid,
        )
        if evidence is None:
            return
        submitted = self.write(
            "submission",
            "POST",
            f"/api/v1/claims/{claim['id']}/submit/",
            {},
            self.author,
            lambda content: claim["uid"] if (content or {}).get("status") == "submitted" else None,
        )
        if submitted is None:
            return
        self.write(
            "review",
            "POST",
            "/api/v1/reviews/",
            {
                "claim": claim["id"],
                "verdict": "request_changes",
                "comment": "Give the dose and the number of mice per group.",
            },
            "reviewer",
            uid,
        )


class Health(threading.Thread):
    """/healthz asked every 0.2 s: (time, status or error kind)."""

    def __init__(self, base: str, tally: Tally, stop: threading.Event):
        super().__init__(daemon=True)
        self.base, self.tally, self.stop, self.answers = base, tally, stop, []

    def run(self):
        while not self.stop.is_set():
            status, content = call(self.base, None, "GET", "/healthz", timeout=5)
            self.answers.append((self.tally.now(), status or content))
            self.stop.wait(0.2)


def slow_client(port: int, token: str, seconds: float, tally: Tally, outcome: dict):
    """A claim POSTed one byte at a time over `seconds`: it holds a worker's thread all along."""
    body = json.dumps({"text": "Sigma-1R claim sent byte by byte by a slow client"}).encode()
    request = (
        f"POST /api/v1/claims/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Authorization: Token {token}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode() + body
    delay = seconds / len(request)
    tally.attempt("claim")
    started = time.monotonic()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
            for i in range(len(request)):
                sock.sendall(request[i : i + 1])
                time.sleep(max(0.0, started + (i + 1) * delay - time.monotonic()))
            answer = b""
            while chunk := sock.recv(65536):
                answer += chunk
    except OSError as failed:
        outcome.update(bytes=len(request), seconds=time.monotonic() - started, answer=type(failed).__name__)
        tally.error("connection dropped")
        return
    head, _, payload = answer.partition(b"\r\n\r\n")
    status = int(head.split()[1]) if head.startswith(b"HTTP/") else 0
    outcome.update(bytes=len(request), seconds=time.monotonic() - started, answer=status)
    uid = None
    if status == 201:
        try:
            uid = json.loads(payload).get("uid")
        except ValueError:
            pass
    if uid:
        tally.ack("claim", uid)
    else:
        tally.error(f"HTTP {status}" if status else "connection dropped")


# --- faults ---


def workers_of(master: int) -> list[int]:
    found = []
    for stat in glob.glob("/proc/[0-9]*/stat"):
        try:
            fields = Path(stat).read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master:
            found.append(int(stat.split("/")[2]))
    return sorted(found)


def kill_a_worker(master: int, tally: Tally, events: list):
    victim = random.Random(master).choice(workers_of(master))
    os.kill(victim, signal.SIGKILL)
    at = tally.now()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        now = workers_of(master)
        if len(now) == WORKERS and victim not in now:
            events.append(
                f"worker {victim} killed (SIGKILL) at {at:.1f} s, replaced after {tally.now() - at:.1f} s"
            )
            return True
        time.sleep(0.1)
    events.append(f"worker {victim} killed (SIGKILL) at {at:.1f} s, NOT replaced within 15 s")
    return False


# --- the check ---


TABLES = {"claim": "claims_claim", "evidence": "claims_evidence", "review": "claims_curatorreview"}


def last_ids(cluster: Cluster) -> dict[str, int]:
    """The highest id of each table before the load: rows above it are the run's (the seed's
    fixtures carry their own history)."""
    with database.cursor_on(cluster.url, DATABASE) as cursor:
        found = {}
        for kind, table in TABLES.items():
            cursor.execute(f"SELECT coalesce(max(id), 0) FROM {table}")
            found[kind] = cursor.fetchone()[0]
    return found


def verify(cluster: Cluster, tally: Tally, before: dict[str, int]) -> tuple[dict, dict]:
    """Acknowledged writes found in the database, by kind; half-written rows among those the
    run wrote, by check."""
    found = {}
    with database.cursor_on(cluster.url, DATABASE) as cursor:
        queries = {
            "claim": "SELECT count(*) FROM claims_claim WHERE uid = ANY(%s::uuid[])",
            "evidence": "SELECT count(*) FROM claims_evidence WHERE uid = ANY(%s::uuid[])",
            # A submission numbers a review round: a claim sent back to draft keeps it.
            "submission": "SELECT count(*) FROM claims_claim WHERE uid = ANY(%s::uuid[]) "
            "AND review_round >= 1",
            "review": "SELECT count(*) FROM claims_curatorreview WHERE uid = ANY(%s::uuid[])",
        }
        for kind, query in queries.items():
            uids = sorted(set(tally.acknowledged[kind]))
            cursor.execute(query, [uids])
            found[kind] = cursor.fetchone()[0]
        half = {}
        claim, evidence, review = (f"> {before[k]}" for k in TABLES)
        checks = {
            "claims without a history row": f"SELECT count(*) FROM claims_claim c WHERE c.id "
            f"{claim} AND NOT EXISTS (SELECT 1 FROM claims_historicalclaim h WHERE h.id = c.id "
            "AND h.history_type = '+')",
            "evidence without a history row": f"SELECT count(*) FROM claims_evidence e WHERE "
            f"e.id {evidence} AND NOT EXISTS (SELECT 1 FROM claims_historicalevidence h WHERE "
            "h.id = e.id AND h.history_type = '+')",
            "evidence without its claim": f"SELECT count(*) FROM claims_evidence e WHERE e.id "
            f"{evidence} AND NOT EXISTS (SELECT 1 FROM claims_claim c WHERE c.id = e.claim_id)",
            "reviews without their claim": f"SELECT count(*) FROM claims_curatorreview r WHERE "
            f"r.id {review} AND NOT EXISTS (SELECT 1 FROM claims_claim c WHERE c.id = r.claim_id)",
            "submitted claims without that history row": f"SELECT count(*) FROM claims_claim c "
            f"WHERE c.id {claim} AND c.review_round >= 1 AND NOT EXISTS (SELECT 1 FROM "
            "claims_historicalclaim h WHERE h.id = c.id AND h.status = 'submitted')",
        }
        for kind, table in TABLES.items():
            checks[f"{kind} rows without a feed entry"] = (
                f"SELECT count(*) FROM {table} t WHERE t.id > {before[kind]} AND NOT EXISTS "
                f"(SELECT 1 FROM claims_change ch WHERE ch.kind = '{kind}' AND ch.uid = t.uid "
                "AND ch.action = 'created')"
            )
        for name, query in checks.items():
            cursor.execute(query)
            half[name] = cursor.fetchone()[0]
    return found, half


def health_report(answers: list, down: tuple[float, float]) -> tuple[list[str], bool]:
    stopped, starting = down
    # An answer is counted by when it came; one asked just before the stop may come after it.
    during = [s for t, s in answers if stopped + 0.5 <= t <= starting]
    after = [(t, s) for t, s in answers if t > starting]
    first_ok = next((t for t, s in after if s == 200), None)
    lines = [
        f"/healthz while the database was down: {Counter(during).get(503, 0)} x 503, "
        f"{Counter(during).get(200, 0)} x 200, {len(during)} asked",
        "/healthz after it started: "
        + (
            f"200 again {first_ok - starting:.1f} s after the start began"
            if first_ok is not None
            else "never 200"
        ),
        f"/healthz at the end: {answers[-1][1] if answers else 'not asked'}",
    ]
    ok = (
        Counter(during).get(503, 0) > 0
        and Counter(during).get(200, 0) == 0
        and first_ok is not None
        and answers[-1][1] == 200
    )
    return lines, ok


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.faults",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--writers", type=int, default=4, help="writing clients (threads)")
    parser.add_argument("--seconds", type=float, default=24, help="how long they write")
    parser.add_argument(
        "--pause", type=float, default=0.05, help="each writer's pause between claims, seconds"
    )
    parser.add_argument("--port", type=int, default=8121, help="gunicorn's port on 127.0.0.1")
    parser.add_argument(
        "--keep", action="store_true", help="leave the PostgreSQL server running with its data, for a look"
    )
    args = parser.parse_args(argv)
    if args.seconds < 18:
        parser.error("--seconds: at least 18, the faults' schedule")
    if not servers.port_is_free(args.port):
        parser.error(f"port {args.port} is in use")
    # SIGTERM ends the run as Ctrl-C does: through the finally blocks that remove the cluster.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        with throwaway_cluster(args.keep) as cluster:
            return run(args, cluster)
    except KeyboardInterrupt:
        say("Interrupted: gunicorn stopped, and the run's PostgreSQL server with it (unless --keep).")
        return 130


def run(args, cluster: Cluster) -> int:
    alphabet = string.ascii_letters + string.digits
    env = {
        "DATABASE_URL": f"{cluster.url}/{DATABASE}",
        "DEBUG": "0",
        "SECRET_KEY": "".join(secrets.choice(alphabet) for _ in range(50)),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SETTINGS_MODULE": "curation.settings",
        "DB_CONN_MAX_AGE": "600",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "API_THROTTLE_ANON": "1000000/minute",
        "API_THROTTLE_USER": "1000000/minute",
        "PATH": "/usr/bin:/bin",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    say(
        f"PostgreSQL of this run on 127.0.0.1:{cluster.port} ({cluster.root}); migrating, "
        "loading the seed, issuing tokens"
    )
    keys = prepare(SimpleNamespace(pg=cluster.url, database=DATABASE), env)
    base = f"http://127.0.0.1:{args.port}"
    log = cluster.root / "gunicorn.log"
    with servers.serving(
        "curation.wsgi", port=args.port, workers=WORKERS, chdir=REPO, env=env, log=log
    ) as gunicorn:
        refs = {
            "papers": [
                p["id"]
                for p in call(base, keys["curator"], "GET", "/api/v1/papers/?page_size=100")[1]["results"]
            ],
            "types": [
                t["code"]
                for t in call(base, keys["curator"], "GET", "/api/v1/evidence-types/?page_size=100")[1][
                    "results"
                ]
                if not t["obsolete"]
            ],
        }
        before = last_ids(cluster)
        tally, stop, events, slow = Tally(), threading.Event(), [], {}
        health = Health(base, tally, stop)
        health.start()
        writers = [Writer(n, base, keys, refs, tally, args.seconds, args.pause) for n in range(args.writers)]
        for writer in writers:
            writer.start()
        slow_thread = threading.Thread(
            target=slow_client, daemon=True, args=(args.port, keys["curator"], 7.0, tally, slow)
        )
        say(
            f"{args.writers} writers for {args.seconds:g} s; faults at 3 s (worker killed), "
            "5-10 s (PostgreSQL stopped), 14 s (worker killed); a slow client over 3.5-10.5 s"
        )
        replaced = True

        def at(moment: float):
            time.sleep(max(0.0, moment - tally.now()))

        at(3)
        replaced &= kill_a_worker(gunicorn.pid, tally, events)
        at(3.5)
        slow_thread.start()
        at(5)
        stopping = tally.now()
        cluster.stop("fast")
        stopped = tally.now()
        events.append(f"PostgreSQL stopped (pg_ctl stop -m fast) at {stopping:.1f}-{stopped:.1f} s")
        at(10)
        starting = tally.now()
        cluster.start()
        started = tally.now()
        events.append(
            f"PostgreSQL started again at {starting:.1f}-{started:.1f} s (down {starting - stopped:.1f} s)"
        )
        at(14)
        replaced &= kill_a_worker(gunicorn.pid, tally, events)
        for writer in writers:
            writer.join(timeout=args.seconds + 90)
        slow_thread.join(timeout=60)
        at(tally.now() + 1)
        stop.set()
        health.join()

    found, half = verify(cluster, tally, before)
    attempted = sum(tally.attempted.values())
    acknowledged = {k: len(set(v)) for k, v in tally.acknowledged.items()}
    after_faults = sum(1 for t in tally.acked_at if t > 14)
    health_lines, health_ok = health_report(health.answers, (stopped, starting))
    missing = {k: acknowledged[k] - found[k] for k in WRITE_KINDS if acknowledged[k] != found[k]}

    print(
        f"Faults under load: {args.writers} writers and a slow client for {args.seconds:g} s "
        f"against gunicorn ({WORKERS} workers, gunicorn.conf.py) on PostgreSQL (a throwaway server)"
    )
    for event in events:
        print(f"  {event}")
    print(
        f"  slow client: {slow.get('bytes', 0)} bytes sent one at a time over "
        f"{slow.get('seconds', 0):.1f} s, answered {slow.get('answer', 'nothing')}"
    )
    print(
        f"Writes attempted:    {attempted:5}  " + ", ".join(f"{k} {tally.attempted[k]}" for k in WRITE_KINDS)
    )
    print(
        f"Writes acknowledged: {sum(acknowledged.values()):5}  "
        + ", ".join(f"{k} {acknowledged[k]}" for k in WRITE_KINDS)
    )
    print(
        f"Acknowledged found:  {sum(found.values()):5}  " + ", ".join(f"{k} {found[k]}" for k in WRITE_KINDS)
    )
    print(
        "Errors by kind:      " + (", ".join(f"{k} {n}" for k, n in sorted(tally.errors.items())) or "none")
    )
    print(
        "Half-written:        "
        + (", ".join(f"{k} {n}" for k, n in half.items() if n) or "none" + f" ({', '.join(half)}: 0 each)")
    )
    for line in health_lines:
        print(line)
    print(
        f"Recovered without a hand: {after_faults} writes acknowledged after the last fault; "
        f"workers replaced: {'yes' if replaced else 'NO'}"
    )
    failures = []
    if missing:
        failures.append(f"acknowledged writes missing: {missing}")
    if any(half.values()):
        failures.append("half-written rows")
    if not health_ok:
        failures.append("/healthz did not answer 503 while the database was down and 200 after")
    if not after_faults or not replaced:
        failures.append("the service did not recover by itself")
    print("FAILED: " + "; ".join(failures) if failures else "OK: nothing acknowledged was lost")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
