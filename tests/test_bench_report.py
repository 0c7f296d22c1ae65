"""The benchmark's report and its server settings, without running a benchmark: a row
whose responses were not all 200 is marked, and the benched server's API limit is out of
the load generator's reach."""
import pytest

from bench import report, run


def row(page, path, not_ok=0, status=200, rps=1500.0):
    return {"dataset": "small", "app": "tweepee", "page": page, "path": path, "user": "demo",
            "status": status, "run_seconds": 5, "rps": rps, "p50_ms": 4.0, "p99_ms": 9.0,
            "requests": 7500, "not_ok": not_ok, "errors": 0, "set_cookie": 0, "queries": [2]}


def results(*rows):
    return {"started": "2026-12-07T15:00:00+00:00", "mode": "quick", "sets": ["small"],
            "settings": {"warmup_s": 1, "duration_s": 5, "runs": 1, "connections": 8,
                         "workers": 2, "seed": 1, "deep_pages": 500},
            "machine": {"cpus": 2, "load_average_start": 0.1, "load_generator": "wrk",
                        "tweepee_database": "sqlite"},
            "datasets": {}, "rows": list(rows), "memory": {}, "warnings": []}


def test_a_row_with_responses_not_200_is_marked_and_explained():
    done = results(row("public", "/public/"),
                   row("api_public", "/api/v1/timelines/public", not_ok=7000, rps=9000.0))
    text = report.text(done)
    api_line = next(line for line in text.splitlines() if line.startswith("/api/v1/timelines"))
    public_line = next(line for line in text.splitlines() if line.startswith("/public/ "))
    assert "9,000!" in api_line and "!" not in public_line
    assert "Rows not all 200" in text and "7,000 of 7,500 responses not 200" in text
    assert "9,000!" in report.markdown(done) and "Rows not all 200" in report.markdown(done)


def test_a_page_that_first_answered_an_error_is_marked():
    text = report.text(results(row("message", "/messages/1/", status=404)))
    assert "1,500!" in text and "first answer 404" in text


def test_an_all_200_run_has_no_mark_and_no_footnote_section():
    text = report.text(results(row("public", "/public/")))
    assert "1,500!" not in text and "Rows not all 200 (" not in text


def test_the_benched_tweepee_gets_an_api_limit_out_of_reach(monkeypatch):
    """bench_tweepee starts its server with UNREACHABLE_API_LIMIT (the env is read before
    any request is made)."""
    seen = {}

    class Stop(Exception):
        pass

    def server(self, dataset, name, app, cwd, env=None, ready_path="/"):
        seen.update(env)
        raise Stop
    monkeypatch.setattr(run.Bench, "server", server)
    bench = run.Bench.__new__(run.Bench)
    bench.secret_key = "k"
    with pytest.raises(Stop):
        bench.bench_tweepee(None, "sqlite:///x.db", {})
    assert seen["API_LIMIT_PER_TOKEN"] == run.UNREACHABLE_API_LIMIT


def test_at_the_bench_s_limit_one_address_is_not_throttled(make_app):
    """What wrk does to /api/v1/timelines/public from one address, well past the default
    limit (300 per minute), all answered 200 under the bench's setting."""
    client = make_app(API_LIMIT_PER_TOKEN=run.UNREACHABLE_API_LIMIT).test_client()
    statuses = {client.get("/api/v1/timelines/public?limit=1").status_code for _ in range(320)}
    assert statuses == {200}
