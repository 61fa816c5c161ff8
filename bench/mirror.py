"""The change feed tried as a downstream tool would: mirrors follow it over HTTP, with tokens,
while other clients create, edit, submit, approve, retract and delete through the API, and in
the end each mirror must hold exactly what a full listing gives its reader.

    make mirror-check       PostgreSQL database curation_mirror, the seed loaded, gunicorn

The app runs under gunicorn as deployed (bench/servers.py) on a fresh database with the seed
fixtures. Writers: a curator and a second curator (claims, evidence, papers; edits, deletions,
submissions), a reviewer (approves or sends back), staff (retracts). Readers: anonymous and the
curator, each following the feed as the README's client does, from the start, concurrently
with the writers. Exits 1 when a mirror differs from its listing.
"""

import argparse
import json
import random
import secrets
import string
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from bench import database, servers
from bench.run import REPO, say

KINDS = {"claim": "claims", "evidence": "evidence", "paper": "papers", "review": "reviews"}
PEOPLE = {"curator": "curator", "curator-2": "curator", "reviewer": "reviewer", "staff": None}


class Client:
    def __init__(self, base: str, token: str | None):
        self.base, self.token = base, token

    def call(self, method: str, path: str, body=None, params: str = ""):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(f"{self.base}/api/v1/{path}{params}", data=data,
                                         method=method)
        request.add_header("Content-Type", "application/json")
        if self.token:
            request.add_header("Authorization", f"Token {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=60) as answer:
                raw = answer.read()
                return answer.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as refused:
            return refused.code, refused.read().decode(errors="replace")

    def ok(self, method: str, path: str, body=None):
        status, content = self.call(method, path, body)
        if status >= 300:
            raise RuntimeError(f"{method} {path} {body!r}: {status} {content}")
        return content


class Mirror(threading.Thread):
    """The README's client: objects by (kind, uid), from the feed alone."""

    def __init__(self, client: Client, stop: threading.Event):
        super().__init__(daemon=True)
        self.client, self.stop, self.cursor, self.objects = client, stop, "", {}
        self.pages = self.entries = 0
        self.error = None

    def page(self) -> bool:
        params = f"?after={self.cursor}&page_size=50"
        status, page = self.client.call("GET", "changes/", params=params)
        if status != 200:
            raise RuntimeError(f"changes/{params}: {status} {page}")
        for entry in page["results"]:
            key = (entry["kind"], entry["uid"])
            if entry["tombstone"]:
                self.objects.pop(key, None)
            else:
                self.objects[key] = entry["object"]
        self.cursor = page["next"]
        self.pages, self.entries = self.pages + 1, self.entries + len(page["results"])
        return page["more"]

    def run(self):
        try:
            while not self.stop.is_set():
                if not self.page():
                    time.sleep(0.05)
        except Exception as failed:  # reported by the main thread
            self.error = failed

    def catch_up(self):
        while self.page():
            pass


def listing(client: Client) -> dict:
    everything = {}
    for kind, path in KINDS.items():
        params = "?page_size=500"
        while True:
            status, page = client.call("GET", f"{path}/", params=params)
            if status != 200:
                raise RuntimeError(f"{path}/{params}: {status} {page}")
            everything.update({(kind, item["uid"]): item for item in page["results"]})
            if not page.get("next"):
                break
            params = "?" + page["next"].split("?", 1)[1]
    return everything


def write(clients: dict, rounds: int, seed: int, counts: dict):
    """A day of curation, `rounds` times over, in a random but repeatable order of work."""
    rng = random.Random(seed)
    curator, other, reviewer, staff = (clients[n] for n in PEOPLE)
    types = [t["code"] for t in curator.ok("GET", "evidence-types/?page_size=100")["results"]]
    for n in range(rounds):
        author = rng.choice([curator, other])
        paper = author.ok("POST", "papers/", {"title": f"Mirror paper {seed}.{n}",
                                               "doi": f"10.5555/mirror.{seed}.{n}", "year": 2020})
        spare = author.ok("POST", "papers/", {"title": f"Spare paper {seed}.{n}",
                                               "url": f"https://example.org/spare/{seed}/{n}"})
        claim = author.ok("POST", "claims/", {"text": f"Sigma-1R claim {seed}.{n}", "topics": []})
        evidence = [author.ok("POST", "evidence/", {
            "claim": claim["id"], "paper": paper["id"], "evidence_type": rng.choice(types),
            "direction": rng.choice(["supports", "contradicts", "inconclusive"]),
            "location": f"Fig. {k}"}) for k in range(2)]
        author.ok("PATCH", f"claims/{claim['id']}/", {"context": f"round {n}"})
        author.ok("PATCH", f"evidence/{evidence[0]['id']}/", {"notes": "n=12 per group"})
        if rng.random() < 0.3:
            author.ok("DELETE", f"evidence/{evidence[1]['id']}/")
            counts["deleted"] += 1
        author.ok("DELETE", f"papers/{spare['id']}/")
        author.ok("POST", f"claims/{claim['id']}/submit/", {})
        verdict = rng.choice(["approve", "approve", "request_changes"])
        reviewer.ok("POST", f"claims/{claim['id']}/reviews/",
                    {"verdict": verdict, "comment": "" if verdict == "approve" else "Name the dose."})
        if verdict == "approve" and rng.random() < 0.3:
            staff.ok("POST", f"claims/{claim['id']}/retract/", {"reason": "Superseded in the mirror check"})
            counts["retracted"] += 1
        if rng.random() < 0.5:
            draft = author.ok("POST", "claims/", {"text": f"Abandoned draft {seed}.{n}"})
            author.ok("DELETE", f"claims/{draft['id']}/")
            counts["deleted"] += 1
        author.ok("PATCH", f"papers/{paper['id']}/", {"title": f"Mirror paper {seed}.{n}, revised"})
        counts["rounds"] += 1


def prepare(args, env: dict) -> dict:
    """A fresh database with the seed, the people and their tokens; token keys by person."""
    database.recreate(args.pg, args.database)
    database.manage(REPO, env, "migrate", "--no-input", "-v", "0")
    database.manage(REPO, env, "seed", "evidence_types", "sigma1r_als")
    script = ("import json\nfrom django.contrib.auth.models import Group\n"
              "from django.contrib.auth import get_user_model\nfrom claims.models import ApiToken\n"
              "keys = {}\n"
              f"for name, role in {PEOPLE!r}.items():\n"
              "    user = get_user_model().objects.create_user(name, is_superuser=role is None,\n"
              "                                                is_staff=role is None)\n"
              "    if role: user.groups.add(Group.objects.get(name=role))\n"
              "    keys[name] = ApiToken.issue(user, 'mirror check', False)[1]\n"
              "print(json.dumps(keys))\n")
    return json.loads(database.manage(REPO, env, "shell", "-c", script).strip().splitlines()[-1])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.mirror", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="curation_mirror")
    parser.add_argument("--port", type=int, default=8111)
    parser.add_argument("--writers", type=int, default=3, help="concurrent writing clients")
    parser.add_argument("--rounds", type=int, default=15, help="days of curation per writer")
    args = parser.parse_args(argv)
    alphabet = string.ascii_letters + string.digits
    env = {"DATABASE_URL": f"{args.pg}/{args.database}", "DEBUG": "0",
           "SECRET_KEY": "".join(secrets.choice(alphabet) for _ in range(50)),
           "ALLOWED_HOSTS": "127.0.0.1", "DJANGO_SETTINGS_MODULE": "curation.settings",
           "API_THROTTLE_ANON": "1000000/minute", "API_THROTTLE_USER": "1000000/minute",
           "SECURE_SSL_REDIRECT": "0", "SECURE_COOKIES": "0",
           "PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1"}
    say(f"Database {args.database}: migrating, loading the seed, issuing tokens")
    keys = prepare(args, env)
    base = f"http://127.0.0.1:{args.port}"
    log = Path(tempfile.mkdtemp(prefix="mirror-")) / "gunicorn.log"
    with servers.serving("curation.wsgi", port=args.port, workers=servers.cores(), chdir=REPO,
                         env=env, log=log):
        stop = threading.Event()
        mirrors = {"anonymous": Mirror(Client(base, None), stop),
                   "curator": Mirror(Client(base, keys["curator"]), stop)}
        for mirror in mirrors.values():
            mirror.start()
        counts = {"rounds": 0, "deleted": 0, "retracted": 0}
        failures = []

        def writer(seed):
            try:
                write({n: Client(base, keys[n]) for n in PEOPLE}, args.rounds, seed, counts)
            except Exception as failed:
                failures.append(failed)

        started = time.monotonic()
        threads = [threading.Thread(target=writer, args=(seed,)) for seed in range(args.writers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        stop.set()
        for mirror in mirrors.values():
            mirror.join()
        say(f"Writers: {counts['rounds']} rounds in {time.monotonic() - started:.0f} s, "
            f"{counts['deleted']} deletions, {counts['retracted']} retractions")
        if failures:
            say(f"A writer failed: {failures[0]}")
            return 1
        identical = True
        for reader, mirror in mirrors.items():
            if mirror.error:
                say(f"{reader}: the mirror failed: {mirror.error}")
                return 1
            followed = mirror.pages
            mirror.catch_up()
            listed = listing(mirrors[reader].client)
            same = mirror.objects == listed
            identical &= same
            by_kind = {k: sum(1 for key in listed if key[0] == k) for k in KINDS}
            say(f"{reader}: {followed} pages followed during the writes, {mirror.entries} entries; "
                f"mirror {'identical to' if same else 'DIFFERENT from'} the listing {by_kind}")
            if not same:
                missing = set(listed) - set(mirror.objects)
                extra = set(mirror.objects) - set(listed)
                stale = [k for k in set(listed) & set(mirror.objects) if listed[k] != mirror.objects[k]]
                say(f"  missing {sorted(missing)[:5]}, extra {sorted(extra)[:5]}, stale {stale[:5]}")
    return 0 if identical else 1


if __name__ == "__main__":
    sys.exit(main())
