"""The HTML report (``-o report.html``): one self-contained page.

No network and no script: inline CSS, hand-drawn inline SVG (``taskgate.report.svg``) and
``<details>`` to fold long lists, so the file opens anywhere, offline, as a CI artifact.
Every string from the user's data is escaped, status is a word as well as a colour, and the
same report gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from taskgate.aggregate.cohorts import ALL, cohort_value
from taskgate.model.report import CohortSummary, Finding, MetricSummary, Report
from taskgate.printable import html_text as escape
from taskgate.report import charts, svg
from taskgate.report.counts import most_common
from taskgate.report.coverage_line import coverage_line, inconclusive_note

METRIC = "task_completion"
REGRESSION_RULES = frozenset({"regression", "tail_regression"})
CSS = """
body{margin:0;background:#f2f4f7;color:#101828;
font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Liberation Sans",Arial,sans-serif}
main{max-width:1180px;margin:0 auto;padding:24px}h2{font-size:19px;margin:0 0 10px}
.banner{display:flex;gap:28px;align-items:center;padding:18px 26px;border-radius:10px;color:#fff}
.banner.fail{background:#b42318}.banner.pass{background:#067647}
.word{font-size:46px;font-weight:800;letter-spacing:.05em;margin:0}
.headline{font-size:19px;font-weight:600;margin:0 0 8px}.meta dt{opacity:.8}.meta dd{margin:0}
.meta{display:grid;grid-template-columns:max-content 1fr;gap:1px 14px;margin:0;font-size:13px}
code{font-family:ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:12.5px}
nav{margin:14px 2px;font-size:13px}nav a{margin-right:14px;color:#175cd3}
section{background:#fff;border:1px solid #eaecf0;border-radius:10px;padding:16px 20px;margin:16px 0}
.scroll{overflow-x:auto}table{border-collapse:collapse;width:100%;font-size:13px}
th,td{padding:5px 8px;border-bottom:1px solid #eaecf0;text-align:left;vertical-align:top}
th{background:#f9fafb;font-weight:600}.num{text-align:right;font-variant-numeric:tabular-nums}
.num,.nowrap,td:first-child{white-space:nowrap}.ci{color:#475467;font-size:11.5px}
td.status{font-weight:700}.s-green{color:#05603a;background:#ecfdf3}
.s-yellow{color:#93370d;background:#fef0c7}.s-red{color:#b42318;background:#fee4e2}
tr.flag td:first-child{box-shadow:inset 4px 0 #d92d20}.level-warn{color:#93370d;font-weight:700}
.badge{font-size:11px;font-weight:700;padding:0 5px;margin-left:6px;border-radius:4px;
background:#b42318;color:#fff}.level-fail{color:#b42318;font-weight:700}
details{margin:6px 0}summary{cursor:pointer;padding:3px 0}h3{font-size:15px;margin:20px 0 6px}
figure{margin:18px 0 6px}figcaption{font-weight:600;margin-bottom:4px}
.muted,footer{color:#475467;font-size:12.5px}footer{margin:8px 2px}
"""
COHORT_NOTE = (
    "mean, tail (mean of the worst 10%) and gap are task_completion; trajectory is the "
    "trajectory_score mean; status is the worst of both."
)
BASELINE_NOTE = " Δ is against the baseline; p is the one-sided p-value for a drop."


def _score(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _amount(value: float | None) -> str:
    return "-" if value is None else f"{value:.4g}"


def _cell(content: str, cls: str = "") -> str:
    return f'<td class="{cls}">{content}</td>' if cls else f"<td>{content}</td>"


def _table(headers: Sequence[str], rows: Iterable[str], numeric: Iterable[str]) -> str:
    right = set(numeric)
    heads = "".join(f'<th class="num">{h}</th>' if h in right else f"<th>{h}</th>" for h in headers)
    return f'<div class="scroll"><table><tr>{heads}</tr>{"".join(rows)}</table></div>'


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _short(digest: str) -> str:
    """The first 12 hex digits, the whole digest as a tooltip."""
    return f'<code title="{escape(digest)}">{escape(digest.split(":")[-1][:12])}</code>'


def _metric(cohort: CohortSummary, name: str = METRIC) -> MetricSummary:
    empty = MetricSummary(n=0, mean=None, tail=None, gap=None, pass_rate=None, status=None)
    return cohort.metrics.get(name, empty)


def _named(report: Report, rules: Iterable[str] = (), level: str = "") -> set[tuple[str, str]]:
    """(dimension, cohort) of the findings of ``rules`` on METRIC, or of every ``level`` one."""
    return {
        (f.dimension or "", f.cohort or "")
        for f in report.verdict.findings
        if (f.rule in rules and f.metric == METRIC) or f.level == level
    }


def _headline(report: Report) -> str:
    fails = sum(f.level == "fail" for f in report.verdict.findings)
    lead = f"{_plural(fails, 'finding')} failed the gate" if fails else "No finding failed the gate"
    note = inconclusive_note(report)
    if note is not None and not fails:  # never a bare PASS
        lead += f", {escape(note)}"
    warns = _plural(len(report.verdict.findings) - fails, "warning")
    unjudged = report.dataset.unjudged
    tail = f" · {unjudged} unjudged" if unjudged else ""
    if report.dataset.judged:
        tail += f" · {report.dataset.judged} decided in part by a judge"
    return f"{lead} · {warns} · {_plural(report.dataset.runs, 'run')} scored{tail}"


def _meta(report: Report) -> Iterable[tuple[str, str]]:
    data, base = report.dataset, report.baseline
    yield "Runs", f"{escape(data.source)} · sha256 {_short(data.sha256)}"
    yield (
        "Input",
        (
            f"{data.invalid} invalid lines skipped · {data.unjudged} unjudged · "
            f"{data.underspecified} underspecified · {data.infrastructure} infrastructure failures"
        ),
    )
    if base is not None:
        yield "Baseline", f"{escape(base.source)} · {base.runs} runs · sha256 {_short(base.sha256)}"
        if base.vanished:
            yield "Vanished", escape(", ".join(f"{c.dimension}={c.value}" for c in base.vanished))
    covered = coverage_line(report)
    if covered is not None:
        yield "Coverage", escape(covered)
    note = inconclusive_note(report)
    if note is not None:
        yield "Power", escape(note)
    for overall in (c for c in report.cohorts if c.dimension == ALL):
        failed = overall.n - overall.failure_shapes.get("passed", 0) - overall.unjudged
        where = f"{most_common(overall.diagnoses, escape)} of {_plural(failed, 'failed run')}"
        yield "Broke most at", where if failed else "no run failed"
    version = escape(report.taskgate_version)
    yield "taskgate", f"{version} · config {_short(report.config_fingerprint)}"


def _banner(report: Report) -> str:
    status = report.verdict.status
    meta = "".join(f"<dt>{name}</dt><dd>{value}</dd>" for name, value in _meta(report))
    return (
        f'<header class="banner {status}" role="status"><p class="word">{status.upper()}</p>'
        f'<div><p class="headline">{_headline(report)}</p><dl class="meta">{meta}</dl></div>'
        "</header>"
    )


def _where(finding: Finding) -> str:
    if finding.cohort is not None and finding.dimension not in (None, ALL):
        return f"{finding.dimension}={finding.cohort}"
    return finding.cohort or finding.dimension or "-"


def _finding_table(findings: Sequence[Finding]) -> str:
    rows = []
    for f in findings:
        rule = f'<span class="level-{f.level}">{f.level.upper()}</span> {escape(f.rule)}'
        cells = [_cell(rule), _cell(escape(_where(f))), _cell(escape(f.metric or "-"), "nowrap")]
        cells += [_cell(_amount(f.observed), "num"), _cell(_amount(f.limit), "num")]
        rows.append(f"<tr>{''.join(cells)}{_cell(escape(f.message))}</tr>")
    headers = ("rule", "cohort", "metric", "observed", "limit", "message")
    return _table(headers, rows, ("observed", "limit"))


def _findings(findings: Sequence[Finding]) -> str:
    fails = [f for f in findings if f.level == "fail"]
    parts = [_finding_table(fails) if fails else '<p class="muted">No finding failed the gate.</p>']
    by_rule: dict[str, list[Finding]] = {}
    for finding in findings:
        if finding.level == "warn":
            by_rule.setdefault(finding.rule, []).append(finding)
    for rule, warns in by_rule.items():
        summary = f"<b>{escape(rule)}</b>: {_plural(len(warns), 'warning')}"
        parts.append(f"<details><summary>{summary}</summary>{_finding_table(warns)}</details>")
    parts += [] if by_rule else ['<p class="muted">No warnings.</p>']
    return '<section id="findings"><h2>Findings</h2>' + "".join(parts) + "</section>"


def _cohort_cells(cohort: CohortSummary, failing: bool) -> list[str]:
    status, completion = cohort.status or "-", _metric(cohort)
    badge = '<span class="badge">FAIL</span>' if failing else ""
    return [
        _cell(escape(cohort.value) + badge),
        _cell(str(cohort.n), "num"),
        _cell("-" if cohort.pass_rate is None else f"{cohort.pass_rate * 100:.1f}%", "num"),
        _cell(str(cohort.unjudged), "num"),
        _cell(status, f"status s-{status}" if cohort.status else "status"),
        *(_cell(_score(v), "num") for v in (completion.mean, completion.tail, completion.gap)),
        _cell(_score(_metric(cohort, "trajectory_score").mean), "num"),
    ]


def _baseline_cells(cohort: CohortSummary) -> list[str]:
    base = cohort.baseline.means.get(METRIC) if cohort.baseline else None
    delta = (cohort.delta or {}).get(METRIC)
    change, p_value = ("new" if cohort.baseline is None else "-"), "-"
    if delta is not None:
        interval = f'<span class="ci">[{delta.ci[0]:+.3f}, {delta.ci[1]:+.3f}]</span>'
        change, p_value = f"{delta.mean:+.3f} {interval}", f"{delta.p_value:.4f}"
    moved = cohort.pass_rate_delta
    points = "-" if moved is None else f"{moved * 100:+.1f} pt"
    return [_cell(v, "num") for v in (_score(base), change, p_value, points)]


def _cohort_table(report: Report, cohorts: Sequence[CohortSummary]) -> str:
    failing, with_base = _named(report, level="fail"), report.baseline is not None
    headers = ["cohort", "n", "pass rate", "unjudged", "status", "mean", "tail", "gap"]
    headers += ["trajectory"]
    headers += ["baseline", "Δ mean [95% CI]", "p (drop)", "Δ pass rate"] if with_base else []
    rows = []
    for cohort in cohorts:
        fails = (cohort.dimension, cohort.value) in failing
        cells = _cohort_cells(cohort, fails) + (_baseline_cells(cohort) if with_base else [])
        flag = ' class="flag"' if fails else ""
        shape = _cell(most_common(cohort.failure_shapes, escape))
        rows.append(f"<tr{flag}>{''.join(cells)}{shape}</tr>")
    note = f'<p class="muted">{COHORT_NOTE}{BASELINE_NOTE if with_base else ""}</p>'
    numeric = [h for h in headers if h not in ("cohort", "status")]
    return note + _table([*headers, "top failure"], rows, numeric)


def _shape_table(cohorts: Sequence[CohortSummary]) -> str:
    shapes = ["passed", *sorted({s for c in cohorts for s in c.failure_shapes} - {"passed"})]
    # An unjudged run has no shape: without this column a row would not add up to its n.
    unjudged = any(c.unjudged for c in cohorts)
    rows = []
    for cohort in cohorts:
        counts = [_cell(str(cohort.failure_shapes.get(s, 0)), "num") for s in shapes]
        if unjudged:
            counts.insert(1, _cell(str(cohort.unjudged), "num"))
        rows.append(
            f"<tr>{_cell(escape(cohort.value))}{''.join(counts)}"
            f"{_cell(most_common(cohort.diagnoses, escape))}</tr>"
        )
    columns = [escape(s) for s in shapes]
    if unjudged:
        columns.insert(1, "unjudged")
    return _table(["cohort", *columns, "broke most at"], rows, columns)


def _per(dimension: str) -> str:
    return "over all runs" if dimension == ALL else f"per {dimension} cohort"


def _figure(caption: str, chart: str) -> str:
    return f"<figure><figcaption>{escape(caption)}</figcaption>{chart}</figure>"


def _distribution(report: Report, dimension: str, cohorts: Sequence[CohortSummary]) -> str:
    scores: dict[str, list[float]] = {}
    for run in report.runs:
        if (value := run.scores.get(METRIC)) is not None:
            scores.setdefault(cohort_value(run, dimension), []).append(value)
    rows = []
    for c in cohorts:
        bins = charts.bin_scores(scores.get(c.value, []))
        rows.append(charts.Spread(c.value, bins, _metric(c).mean, _metric(c).tail))
    title = f"{METRIC} scores {_per(dimension)}"
    return _figure(title, charts.distribution_chart(title, METRIC, rows))


def _changes(report: Report, dimension: str, cohorts: Sequence[CohortSummary]) -> str:
    regressed, rows = _named(report, REGRESSION_RULES), []
    for c in cohorts:
        delta = (c.delta or {}).get(METRIC)
        base = c.baseline.means.get(METRIC) if c.baseline else None
        change, ci = (delta.mean, delta.ci) if delta else (None, None)
        flag = (dimension, c.value) in regressed
        rows.append(charts.Change(c.value, base, _metric(c).mean, change, ci, flag))
    title = f"{METRIC} against the baseline {_per(dimension)}"
    return _figure(title, charts.change_chart(title, METRIC, rows))


def _gaps(report: Report) -> str:
    flagged, rows = _named(report, ["tail_gap"]), []
    for c in report.cohorts:
        flag = (c.dimension, c.value) in flagged
        rows.append(charts.Gap(c.value, c.dimension, _metric(c).mean, _metric(c).tail, flag))
    title = f"{METRIC}: mean against the tail (worst 10%) per cohort"
    chart = _figure(title, charts.gap_chart(title, METRIC, rows))
    return f'<section id="tails"><h2>Tails</h2>{chart}</section>'


def _dimension(report: Report, index: int, dimension: str, cohorts: list[CohortSummary]) -> str:
    parts = [
        f'<section id="d{index}"><h2>Cohorts by {escape(dimension)}</h2>',
        _cohort_table(report, cohorts),
        _distribution(report, dimension, cohorts),
        _changes(report, dimension, cohorts) if report.baseline is not None else "",
        "<h3>How runs failed, and where they broke</h3>",
        _shape_table(cohorts),
    ]
    return "".join(parts) + "</section>"


def render_html(report: Report) -> bytes:
    """The whole report as one self-contained HTML5 page, UTF-8."""
    groups: dict[str, list[CohortSummary]] = {}
    for cohort in report.cohorts:
        groups.setdefault(cohort.dimension, []).append(cohort)
    links = "".join(f'<a href="#d{i}">{escape(d)}</a>' for i, d in enumerate(groups))
    title = escape(f"taskgate {report.verdict.status.upper()}: {report.dataset.source}")
    page = [
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{title}</title><style>{CSS}{svg.SVG_CSS}</style></head><body><main>",
        _banner(report),
        f'<nav><a href="#findings">Findings</a><a href="#tails">Tails</a>{links}</nav>',
        _findings(report.verdict.findings),
        _gaps(report),
        *(_dimension(report, i, d, members) for i, (d, members) in enumerate(groups.items())),
        f"<footer>taskgate {escape(report.taskgate_version)} · report version "
        f"{report.report_version}</footer></main></body></html>\n",
    ]
    return "".join(page).encode("utf-8")
