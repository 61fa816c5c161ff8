"""Data releases: the accepted data in the interchange format, frozen in a file with its
SHA-256 and what changed since the release before, as downstream projects cite them.

Each release is three files side by side in RELEASES_ROOT, named by its version, and never
overwritten: `curation-<version>.jsonl` (the data), `.sha256` (its checksum, as sha256sum
writes it) and `.diff.json` (claims added, changed and retracted since the previous release).
"""

import hashlib
import json
import os
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from claims.choices import Status
from claims.interchange.export import iter_lines
from claims.models import Release


def root() -> Path:
    return Path(settings.RELEASES_ROOT)


def data_name(version: str) -> str:
    return f"curation-{version}.jsonl"


def path_of(release: Release) -> Path:
    return root() / release.file_name


def fingerprints(lines: Iterable[str]) -> dict[str, str]:
    """Per claim uid, a digest of its record and its evidence records: what "changed" compares.

    Reviews and versions are left out: a new review round that ends where it started is not
    a change of what the release says."""
    claims, evidence = {}, defaultdict(list)
    for line in lines:
        record = json.loads(line)
        if record["kind"] == "claim":
            claims[record["uid"]] = hashlib.sha256(line.encode()).hexdigest()
        elif record["kind"] == "evidence":
            evidence[record["claim"]].append(hashlib.sha256(line.encode()).hexdigest())
    return {uid: hashlib.sha256((digest + "".join(sorted(evidence[uid]))).encode()).hexdigest()
            for uid, digest in claims.items()}


def diff(before: dict[str, str], after: dict[str, str]) -> dict[str, list[str]]:
    """Claims added, changed and retracted (in the previous release, no longer accepted)."""
    return {"added": sorted(after.keys() - before.keys()),
            "changed": sorted(uid for uid in after.keys() & before.keys()
                              if after[uid] != before[uid]),
            "retracted": sorted(before.keys() - after.keys())}


def _read_lines(path: Path):
    if not path.exists():
        raise ValidationError(f"The previous release's file {path} is missing: restore it to "
                              "compare against it.")
    with path.open(encoding="utf-8", newline="\n") as stream:
        yield from stream


def make(version: str, *, actor=None) -> Release:
    """Write the release of the accepted data as it is now. Raises ValidationError (the
    version is malformed or taken, or its files exist) and then writes nothing."""
    release = Release(version=version, created_by=actor, file_name=data_name(version),
                      sha256="0" * 64, size=0)
    release.full_clean(exclude=["sha256", "size", "file_name"])
    folder = root()
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / release.file_name
    sidecars = (target.with_suffix(".sha256"), target.with_suffix(".diff.json"))
    if any(p.exists() for p in (target, *sidecars)):
        raise ValidationError({"version": f"Files of release {version} already exist in {folder}; "
                                          "a release is never overwritten."})
    partial = target.with_suffix(".jsonl.partial")
    checksum, counts, size = hashlib.sha256(), defaultdict(int), 0
    try:
        with partial.open("w", encoding="utf-8", newline="\n") as stream:
            for line in iter_lines(status=Status.ACCEPTED):
                data = line.encode()
                checksum.update(data)
                size += len(data)
                counts[line[9:line.index('"', 9)]] += 1  # lines start with {"kind":"<name>"
                stream.write(line)
        with transaction.atomic():
            previous = Release.objects.select_for_update().order_by("-created_at", "-id").first()
            before = fingerprints(_read_lines(path_of(previous))) if previous else {}
            after = fingerprints(_read_lines(partial))
            release.previous = previous
            release.sha256, release.size, release.counts = checksum.hexdigest(), size, dict(counts)
            release.diff = {"previous": previous.version if previous else None,
                            **diff(before, after)}
            release.full_clean()
            release.save()
            sidecars[0].write_text(f"{release.sha256}  {release.file_name}\n", encoding="utf-8")
            sidecars[1].write_text(json.dumps(release.diff, indent=1) + "\n", encoding="utf-8")
            os.replace(partial, target)
    except BaseException:
        for leftover in (partial, *sidecars):
            if leftover.exists() and not target.exists():
                leftover.unlink()
        raise
    return release
