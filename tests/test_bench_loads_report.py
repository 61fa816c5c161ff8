"""The bulk loads' report states the figures the targets are judged by, and any failed check."""

from bench import loads_report

MACHINE = {"cpu": "AMD EPYC", "cores": 2, "ram_gb": 23.5, "postgresql": "15", "python": "3.11",
           "load_average_at_start": 3.0}
CORPUS = {"papers": 20, "claims": 70, "evidence": 200, "seed": 1}


def _results(failures=()):
    copy = {"seconds": 2.0, "records_per_s": 500.0, "ratio": 0.25, "rows": 900,
            "tables": {"claims_claim": 70, "claims_evidence": 200}, "load_average": 3.0}
    export = {"corpus": CORPUS, "records": 468, "bytes": 400_000, "seconds": 4.0,
              "peak_rss_kb": 102_400, "load_average": 3.0}
    return {
        "started_at": "2026-11-29T01:00:00Z", "machine": MACHINE,
        "parameters": {"app_commit": "abc1234"},
        "import": {"file": {**export, "kinds": {"claim": 70, "evidence": 200}},
                   "app": {"seconds": 8.0, "records_per_s": 125.0, "rows": 900,
                           "peak_rss_kb": 204_800, "load_average": 3.0},
                   "copy": {"all": copy, "records": {**copy, "ratio": 0.2}}},
        "export": {"runs": [{**export, "corpus": {**CORPUS, "claims": 30}}, export],
                   "floor": None, "memory_ratio": 1.05},
        "failures": list(failures),
    }


def test_the_report_gives_import_over_copy_and_the_export_memory_ratio():
    text = loads_report.markdown(_results())
    assert "| COPY, every table the import wrote (2) | 2.0 s | 500 | 900 | 0.250 |" in text
    assert "| `import_curation FILE --as bench-importer` | 8.0 s | 125 |" in text
    assert "200 MiB" in text
    assert "Peak memory at 70 claims ÷ at 30: 1.05." in text
    assert "failed" not in text


def test_a_failed_check_is_in_the_report():
    text = loads_report.markdown(_results(["import: rows differ"]))
    assert "- **failed**: import: rows differ" in text
