"""The report of a run: one table (page x data set x app), the seeding figures, the
workers' memory; as text for the terminal and as JSON and Markdown in bench/results/."""
import json
import os
import shutil

# (key, label) in the order of the table; the ceiling's row comes first.
PAGES = [
    ("ceiling", "bare Flask route /"),
    ("home", "/"),
    ("home_power", "/ following 5,000"),
    ("public", "/public/"),
    ("profile", "/users/<name>/"),
    ("deep", "/public/, {deep} pages back"),
    ("message", "/messages/<id>/"),
    ("thread", "/messages/<id>/, most replies"),
    ("notifications", "/notifications/"),
    ("search_common", "/search/?q=<common word>"),
    ("search_rare", "/search/?q=<rare word>"),
    ("tag", "/tags/<most used tag>/"),
    ("api_public", "/api/v1/timelines/public"),
    ("admin", "/admin/"),
    ("admin_messages", "/admin/message/"),
    ("admin_search", "/admin/message/?search=<common word>"),
    ("admin_reports", "/admin/report/"),
    ("admin_users", "/admin/user/"),
]
APPS = ("ceiling", "tweepee", "example")
COLUMNS = ["page", "set", "app", "req/s", "p50 ms", "p99 ms", "÷ ceiling", "÷ example",
           "÷ small", "SQL", "non-200"]
RIGHT = {"req/s", "p50 ms", "p99 ms", "÷ ceiling", "÷ example", "÷ small", "SQL", "non-200"}

LEGEND = """\
req/s, p50, p99: the median of the measured runs (by req/s), all connections together.
÷ ceiling: req/s over the bare Flask route's req/s on the same data set's turn of the run.
÷ example: tweepee's req/s over the peewee example's on the same page and data set.
÷ small: req/s on the large data set over the same app and page on the small one.
SQL: queries per page, counted in-process (test client + peewee logger), 3 requests after
     a warm one; "a-b" when they differ.
non-200: responses that were not 200, plus connection errors, over the measured runs
     (* = some responses set a cookie: the session was re-signed).
!: not every response was 200 (throttled, refused, failed): the row's req/s and
     latencies are not the page's own; see "Rows not all 200" below."""


def find(rows, **wanted):
    """The first row whose fields have the `wanted` values, or None."""
    return next((row for row in rows if all(row.get(k) == v for k, v in wanted.items())), None)


def ratio(numerator, denominator):
    return numerator / denominator if numerator is not None and denominator else None


def add_ratios(results):
    """Set "vs_ceiling", "vs_example" and "vs_small" on every row of `results`."""
    rows = results["rows"]
    for row in rows:
        ceiling = find(rows, dataset=row["dataset"], app="ceiling")
        example = find(rows, dataset=row["dataset"], app="example", page=row["page"])
        small = find(rows, dataset="small", app=row["app"], page=row["page"])
        row["vs_ceiling"] = ratio(row["rps"], ceiling and ceiling["rps"])
        row["vs_example"] = (ratio(row["rps"], example and example["rps"])
                             if row["app"] == "tweepee" else None)
        row["vs_small"] = (ratio(row["rps"], small and small["rps"])
                           if row["dataset"] != "small" else None)


def ordered_rows(results):
    """The rows in table order: page, then data set, then app."""
    order = []
    for page, _ in PAGES:
        for dataset in results["sets"]:
            for app in APPS:
                row = find(results["rows"], dataset=dataset, app=app, page=page)
                if row:
                    order.append(row)
    return order


# --- number formats ------------------------------------------------------------------
def fmt_rate(value):
    return "" if value is None else f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def fmt_ms(value):
    return "" if value is None else f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def fmt_ratio(value):
    if value is None:
        return ""
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}" if value >= 10 else (
        f"{value:.2f}" if value >= 0.1 else f"{value:.3f}")


def fmt_queries(counts):
    if not counts:
        return ""
    low, high = min(counts), max(counts)
    return str(low) if low == high else f"{low}-{high}"


def page_label(page, results):
    return dict(PAGES)[page].format(deep=results["settings"]["deep_pages"])


def all_ok(row):
    """Whether every response of `row` was a 200: the check before the runs, and each
    response of the measured runs (no other status, no connection error)."""
    return row.get("status", 200) == 200 and not row["not_ok"] and not row["errors"]


def not_ok_lines(results):
    """One line per row whose responses were not all 200 (marked ! in the table)."""
    lines = []
    for row in ordered_rows(results):
        if not all_ok(row):
            lines.append(f"  ! {row['dataset']} {row['app']} {row['path']}: "
                         f"{row['not_ok'] + row['errors']:,} of {row['requests']:,} responses "
                         f"not 200 (first answer {row.get('status')}): its figures are not "
                         "the page's")
    return lines


def table(results):
    """The header and the cells (strings) of the table, in order."""
    add_ratios(results)
    cells = []
    for row in ordered_rows(results):
        flagged = "*" if row["set_cookie"] else ""
        bad = "!" if not all_ok(row) else ""
        cells.append([
            page_label(row["page"], results), row["dataset"], row["app"],
            fmt_rate(row["rps"]) + bad, fmt_ms(row["p50_ms"]), fmt_ms(row["p99_ms"]),
            fmt_ratio(row["vs_ceiling"]), fmt_ratio(row["vs_example"]),
            fmt_ratio(row["vs_small"]), fmt_queries(row["queries"]),
            f"{row['not_ok'] + row['errors']:,}{flagged}",
        ])
    return COLUMNS, cells


# --- the other sections -----------------------------------------------------------------
def heading(results):
    settings, machine = results["settings"], results["machine"]
    runs = (f"{settings['runs']} x {settings['duration_s']} s per page (median)"
            if settings["runs"] > 1 else f"{settings['duration_s']} s per page")
    return (f"tweepee benchmark ({results['mode']}), {results['started']}: {runs} after "
            f"{settings['warmup_s']} s of warm-up, {settings['connections']} connections, "
            f"gunicorn {settings['workers']} sync workers, {machine['cpus']} CPUs "
            f"(1-min load average before the run: {machine['load_average_start']}).\n"
            f"Load generator: {machine['load_generator']}. tweepee on "
            f"{machine['tweepee_database']}, the peewee example on SQLite.")


def seeding_lines(results):
    lines = []
    for name in results["sets"]:
        info = results["datasets"].get(name)
        if not info:
            continue
        for label, figures in (("SQLite", info["seeding"]),
                               ("PostgreSQL", info.get("seeding_postgres"))):
            if not figures:
                continue
            origin = ("seeded by this run" if figures["fresh"]
                      else f"cached: figures of its seeding at {figures['seeded_at']}")
            lines.append(
                f"  {name:<6} {label:<10} {info['description']}: {figures['seconds']:.1f} s, "
                f"{figures['messages_per_second']:,} messages/s "
                f"(process {figures['wall_seconds']} s, "
                f"peak {figures['peak_rss_mb']} MB); {origin}; --now {figures['now']}")
    return lines


def memory_lines(results):
    lines = []
    for name in results["sets"]:
        apps = results["memory"].get(name, {})
        parts = [f"{app} {', '.join(f'{mb:.0f}' for mb in apps[app])}"
                 for app in APPS if app in apps]
        if parts:
            lines.append(f"  {name:<6} " + "; ".join(parts))
    return lines


def note_lines(results):
    lines = []
    for name in results["sets"]:
        info = results["datasets"].get(name, {})
        if "profile_user" in info:
            lines.append(f"  {name}: profile page /users/{info['profile_user']}/ "
                         "(the active user with the most messages)")
        for app, path in info.get("deep_page", {}).items():
            lines.append(f"  {name}: deep page of {app}: {path}")
    duration = results["settings"]["duration_s"]
    for row in results["rows"]:
        if row.get("run_seconds", duration) > duration:
            lines.append(f"  {row['dataset']}: {row['app']} {row['path']}: {row['run_seconds']} s "
                         "per run (a slow page: runs are made long enough for about 20 requests)")
    return lines


def sections(results):
    """(title, lines) of everything after the table."""
    return [
        ("Rows not all 200 (! in the table)", not_ok_lines(results)),
        ("Seeding (seed_data.py; time and rate as it prints them)", seeding_lines(results)),
        ("gunicorn worker memory after each app's run (VmRSS, MB, one figure per worker)",
         memory_lines(results)),
        ("Pages", note_lines(results)),
        ("Warnings", [f"  {w}" for w in results["warnings"]]),
    ]


# --- text and Markdown --------------------------------------------------------------------
def text(results):
    """The report for the terminal."""
    header, cells = table(results)
    widths = [max(len(str(c)) for c in column) for column in zip(header, *cells)]

    def line(values):
        return "  ".join(str(v).rjust(w) if h in RIGHT else str(v).ljust(w)
                         for v, w, h in zip(values, widths, header)).rstrip()

    out = [heading(results), "", line(header), line(["-" * w for w in widths])]
    previous = None
    for row in cells:
        if previous is not None and row[0] != previous:
            out.append("")
        out.append(line(row))
        previous = row[0]
    out += ["", LEGEND]
    for title, lines in sections(results):
        if lines:
            out += ["", title + ":"] + lines
    if "elapsed_s" in results:
        out += ["", f"Run time: {results['elapsed_s']:.0f} s ({results['command']})"]
    return "\n".join(out)


def markdown(results):
    """The report as Markdown: the same table and sections."""
    header, cells = table(results)
    align = ["---:" if h in RIGHT else "---" for h in header]
    out = [heading(results), "", "| " + " | ".join(header) + " |", "| " + " | ".join(align) + " |"]
    out += ["| " + " | ".join(c.replace("|", "\\|").replace("<", "&lt;") for c in row) + " |"
            for row in cells]
    out += ["", "```", LEGEND, "```"]
    for title, lines in sections(results):
        if lines:
            out += ["", f"**{title}**", "", "```"] + [line.strip() for line in lines] + ["```"]
    if "elapsed_s" in results:
        out += ["", f"Run time: {results['elapsed_s']:.0f} s (`{results['command']}`)"]
    return "\n".join(out) + "\n"


def save(results, directory):
    """Write bench-<time>[-quick].json and .md, and copies as latest[-quick].*; returns paths."""
    os.makedirs(directory, exist_ok=True)
    add_ratios(results)
    suffix = "-quick" if results["mode"] == "quick" else ""
    stamp = results["started"].replace(":", "").replace("+0000", "Z").replace("+00:00", "Z")
    paths = []
    for ext, content in (("json", json.dumps(results, indent=2) + "\n"), ("md", markdown(results))):
        path = os.path.join(directory, f"bench-{stamp}{suffix}.{ext}")
        with open(path, "w") as f:
            f.write(content)
        latest = os.path.join(directory, f"latest{suffix}.{ext}")
        shutil.copyfile(path, latest)
        paths += [path, latest]
    return paths
