"""The machine, the results file, and the markdown table (printed and kept in docs/performance.md)."""

import json
import os
import platform
import re
import subprocess
from pathlib import Path


def machine(pg_version: str, wrk_version: str, workers: int) -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
    except (OSError, AttributeError):
        mem_kb = 0
    return {"cpu": cpu or platform.processor(), "cores": os.cpu_count(),
            "cores_available": len(os.sched_getaffinity(0)),
            "ram_gb": round(mem_kb / 1024 / 1024, 1), "kernel": platform.release(),
            "postgresql": pg_version, "python": platform.python_version(), "wrk": wrk_version,
            "gunicorn_workers": workers, "load_average_at_start": os.getloadavg()[0]}


def commit_of(directory: Path) -> str:
    def git(*args):
        return subprocess.run(["git", "-C", str(directory), *args], capture_output=True,
                              text=True).stdout.strip()

    head = git("rev-parse", "--short", "HEAD")
    if not head:
        return "unknown"
    dirty = git("status", "--porcelain", "--untracked-files=no", "--", "claims", "curation")
    return f"{head} with uncommitted changes" if dirty else head


def write_results(results: dict, directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    stamp = results["started_at"].replace("-", "").replace(":", "")[:15]
    path = directory / f"{stamp}Z-{results['label']}.json"
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    return path


FEW = 20  # requests in a run below which percentiles say little


def _ms(value) -> str:
    if value is None:
        return "–"
    return f"{value:.0f} ms" if value >= 100 else f"{value:.1f} ms" if value >= 1 else f"{value:.2f} ms"


def _rate(value) -> str:
    if value is None:
        return "–"
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def _kb(value) -> str:
    return "–" if value is None else f"{value / 1000:,.1f} kB"


def _ratio(value) -> str:
    if value is None:
        return "–"
    return f"{value:.2f}" if value >= 0.1 or value == 0 else f"{value:.3f}"


def _content(check: dict) -> str:
    if check["ok"]:
        return "same (loose)" if check["check"] == "ids" else "same"
    return f"**DIFFERS**: {check['detail']}".replace("|", "\\|")


def _best_of(rounds: int) -> str:
    return f"the best of {rounds} rounds, " if rounds > 1 else ""


def _queries(app, raw) -> str:
    def one(value):
        return "–" if value is None else f"{value:g}"
    return f"{one(app)} / {one(raw)}"


def markdown(results: dict) -> str:
    m, p = results["machine"], results["parameters"]
    corpus = p["corpus"]
    lines = [
        f"Measured {results['started_at'][:16].replace('T', ' ')} UTC on {m['cpu']}, "
        f"{m['cores']} cores, {m['ram_gb']:g} GB RAM; PostgreSQL {m['postgresql']}, "
        f"Python {m['python']}, {m['wrk']}. App code {p['app_commit']} "
        f"(`{p['app_dir']}`).",
        f"Corpus: {corpus['papers']:,} papers, {corpus['claims']:,} claims "
        f"({p['public_claims']:,} public), {corpus['evidence']:,} evidence, seed {corpus['seed']}. "
        f"Each server: gunicorn, {m['gunicorn_workers']} workers as its checkout's "
        f"gunicorn.conf.py has them; wrk {p['threads']} "
        f"threads, {p['connections']} connections, {p['duration']:g} s per case after "
        f"{p['warmup']:g} s of warm-up, {_best_of(p.get('rounds', 1))}on the same machine "
        f"(load average {m['load_average_at_start']:.1f} at the start).",
        "",
        "| case | req/s app | req/s raw | app ÷ raw | p50 app | p50 raw | p99 app | p99 raw "
        "| queries app / raw | bytes app / raw | content |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|",
    ]
    for case in results["cases"]:
        app, raw = case["app"], case["raw"]
        errors = [f"{side} {case[side]['errors']} errors" for side in ("app", "raw")
                  if case[side].get("errors")]
        lines.append(
            f"| {case['title']} | {_rate(app.get('rps'))} | {_rate(raw.get('rps'))} "
            f"| {_ratio(case['ratio'].get('rps'))} | {_ms(app.get('p50_ms'))} "
            f"| {_ms(raw.get('p50_ms'))} | {_ms(app.get('p99_ms'))} | {_ms(raw.get('p99_ms'))} "
            f"| {_queries(app.get('queries'), raw.get('queries'))} "
            f"| {_kb(app.get('bytes'))} / {_kb(raw.get('bytes'))} "
            f"| {_content(case['content'])}{'; ' + ', '.join(errors) if errors else ''} |")
    crawl = results.get("crawl")
    if crawl:
        app, raw = crawl["app"], crawl["raw"]
        lines += [
            "",
            f"Crawl: every public claim by following `next` from "
            f"`{crawl['start']}`, one request at a time on one keep-alive connection "
            f"(seconds in requests and JSON parsing).",
            "",
            "| crawl | claims | pages app / raw | seconds app | seconds raw | claims/s app "
            "| claims/s raw | app ÷ raw | queries per page app / raw | content |",
            "|---|--:|--:|--:|--:|--:|--:|--:|--:|---|",
            f"| {'keyset (cursor)' if app.get('keyset') else 'page numbers (no cursor in app)'} "
            f"| {app.get('claims', 0):,} | {app.get('pages')} / {raw.get('pages')} "
            f"| {app.get('seconds', 0):.1f} | {raw.get('seconds', 0):.1f} "
            f"| {_rate(app.get('claims_per_s'))} | {_rate(raw.get('claims_per_s'))} "
            f"| {_ratio(crawl['ratio'])} | {_queries(app.get('queries'), raw.get('queries'))} "
            f"| {_content(crawl['content'])} |",
        ]
    downloads = results.get("downloads") or []
    if downloads:
        lines += [
            "",
            "Downloads: the app alone, one request read to its end as it streams.",
            "",
            "| download | records | bytes | seconds | first byte | records/s | MB/s | queries "
            "| content |",
            "|---|--:|--:|--:|--:|--:|--:|--:|---|",
            *[f"| {d['title']} | {d['records']:,} | {d['bytes'] / 1e6:,.1f} MB "
              f"| {d['seconds']:.1f} | {_ms(d['first_byte'] * 1000)} | {_rate(d['records_per_s'])} "
              f"| {d['bytes'] / 1e6 / d['seconds']:.1f} | {d['queries']} | {_content(d['content'])} |"
              for d in downloads],
        ]
    notes = [f"{case['title']}: {note}" for case in [*results["cases"], *downloads]
             for note in case["notes"]]
    for case in results["cases"]:
        for side in ("app", "raw"):
            figures = case[side]
            if figures.get("requests", 0) < FEW:
                notes.append(
                    f"{case['title']}, {side}: {figures.get('requests', 0)} requests finished in "
                    f"{p['duration']:g} s under load, so its percentiles are rough; one request "
                    f"alone took {_ms(figures.get('alone_ms'))}")
    notes += results.get("skipped", [])
    if notes:
        lines += ["", *[f"- {note}" for note in notes]]
    return "\n".join(lines) + "\n"


def update_docs(doc: Path, label: str, table: str, heading: str) -> None:
    """Replace what lies between <!-- bench:LABEL:start --> and <!-- bench:LABEL:end -->,
    adding a section with those markers at the end when the page has none."""
    start, end = f"<!-- bench:{label}:start -->", f"<!-- bench:{label}:end -->"
    text = doc.read_text() if doc.exists() else "# Performance\n"
    block = f"{start}\n{table}{end}"
    if start in text and end in text:
        before, rest = text.split(start, 1)
        text = before + block + rest.split(end, 1)[1]
    else:
        text = text.rstrip("\n") + f"\n\n## {heading}\n\n{block}\n"
    doc.write_text(text)
