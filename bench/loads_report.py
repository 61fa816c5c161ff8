"""The bulk loads' markdown (printed and kept in docs/performance.md)."""

KINDS = ("evidence_type", "topic", "paper", "claim", "evidence", "review", "version")


def _memory(kib) -> str:
    return f"{kib / 1024:,.0f} MiB"


def _size(count: int) -> str:
    return f"{count / 1e6:,.1f} MB" if count >= 1e5 else f"{count / 1e3:,.1f} kB"


def _s(seconds) -> str:
    if seconds >= 100:
        return f"{seconds:,.0f} s"
    return f"{seconds:.1f} s" if seconds >= 1 else f"{seconds:.2f} s"


def _n(value) -> str:
    return f"{value:,.0f}"


def _corpus(c: dict) -> str:
    return f"{_n(c['papers'])} papers, {_n(c['claims'])} claims, {_n(c['evidence'])} evidence"


def _import_section(result: dict) -> list[str]:
    file, app, copies = result["file"], result["app"], result["copy"]
    kinds = ", ".join(f"{_n(file['kinds'].get(k, 0))} {k.replace('_', ' ')}" for k in KINDS)
    every, records = copies["all"], copies["records"]
    lines = [
        f"**Import** of a file of {_n(file['records'])} records ({kinds}; {_size(file['bytes'])}), "
        f"exported from a generated corpus ({_corpus(file['corpus'])}), into an empty migrated "
        f"database; the COPY rows are the very rows the import inserted, dumped from its "
        f"database and copied into another fresh one, timed up to the commit.",
        "",
        "| load | seconds | records/s | rows written | import ÷ this | peak memory | load average |",
        "|---|--:|--:|--:|--:|--:|--:|",
        f"| `import_curation FILE --as bench-importer` | {_s(app['seconds'])} "
        f"| {_n(app['records_per_s'])} | {_n(app['rows'])} | – | {_memory(app['peak_rss_kb'])} "
        f"| {app['load_average']:.1f} |",
        f"| COPY, every table the import wrote ({len(every['tables'])}) | {_s(every['seconds'])} "
        f"| {_n(every['records_per_s'])} | {_n(every['rows'])} | {every['ratio']:.3f} | – "
        f"| {every['load_average']:.1f} |",
        f"| COPY, the records' own tables ({len(records['tables'])}: no history, no change feed) "
        f"| {_s(records['seconds'])} | {_n(records['records_per_s'])} | {_n(records['rows'])} "
        f"| {records['ratio']:.3f} | – | {records['load_average']:.1f} |",
        "",
        "Rows written, by table: " + ", ".join(f"`{name}` {_n(rows)}"
                                             for name, rows in every["tables"].items()) + ".",
    ]
    return lines


def _export_section(result: dict) -> list[str]:
    lines = [
        "**Export**: `export_curation FILE` of generated databases, each in a process of its "
        "own; peak memory is that process's maximum resident set (`ru_maxrss`).",
        "",
        "| database | records | bytes | seconds | records/s | peak memory | load average |",
        "|---|--:|--:|--:|--:|--:|--:|",
    ]
    runs = result["runs"] + ([{**result["floor"], "corpus": None}] if result.get("floor") else [])
    for run in runs:
        name = _corpus(run["corpus"]) if run["corpus"] else "empty (Python and Django alone)"
        lines.append(f"| {name} | {_n(run['records'])} | {_size(run['bytes'])} "
                     f"| {_s(run['seconds'])} | {_n(run['records'] / run['seconds'])} "
                     f"| {_memory(run['peak_rss_kb'])} | {run['load_average']:.1f} |")
    first, last = result["runs"][0], result["runs"][-1]
    if result["memory_ratio"] is not None:
        lines += ["", f"Peak memory at {_n(last['corpus']['claims'])} claims ÷ at "
                      f"{_n(first['corpus']['claims'])}: {result['memory_ratio']:.2f}."]
    return lines


def markdown(results: dict) -> str:
    m, p = results["machine"], results["parameters"]
    lines = [
        f"Measured {results['started_at'][:16].replace('T', ' ')} UTC on {m['cpu']}, "
        f"{m['cores']} cores, {m['ram_gb']:g} GB RAM; PostgreSQL {m['postgresql']}, "
        f"Python {m['python']}. Code {p['app_commit']}. Load average "
        f"{m['load_average_at_start']:.1f} at the start (the machine is shared: the load "
        f"average as each step began is in the last column).",
    ]
    if "import" in results:
        lines += ["", *_import_section(results["import"])]
    if "export" in results:
        lines += ["", *_export_section(results["export"])]
    if results.get("failures"):
        lines += ["", *[f"- **failed**: {f}" for f in results["failures"]]]
    return "\n".join(lines) + "\n"
