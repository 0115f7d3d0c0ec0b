#!/usr/bin/env python3
"""Turn the raw samples of scripts/bench.sh into contributing/performance.md and an SVG plot.

Usage: bench_report.py DATA.json OUT.md OUT.svg

DATA.json (written by scripts/bench.sh):
  meta:       {date, nproc, cpu, terraform, parallelism, runs, sizes, latencies, variants,
               extras, note, command}
  samples:    [{variant, latency_ms, n, instances, run, command, seconds, exit,
                requests, tokens, connections, status429}]
              variant: "ours", "noop", "tfdata-trivial", "tfdata-same";
              command: "apply", "plan", "destroy"; requests/tokens/connections/status429
              only for "ours" (null otherwise)
  rss:        [{variant, n, command, processes, max_rss_kb, cpu_seconds, tokens}]
  rate_limit: {rate, apps, exit, seconds, requests, status429, errors, message} or null

With BENCH_COMPARE=BEFORE.json in the environment (`scripts/bench.sh --compare`), a section
compares `ours` with that earlier run; BENCH_COMPARE_AFTER=AFTER.json compares those two runs
instead of this one with the earlier.

Only the standard library is used; the SVG is written as plain text.
"""

import json
import math
import os
import sys

COMMANDS = ["apply", "plan", "destroy"]
RSS_LIMIT_KB = 15 * 1024
NOOP_TARGET = 1.1
LATENCY_TARGET = 1.2


def median(values):
    values = sorted(v for v in values if v is not None)
    if not values:
        return None
    mid = len(values) // 2
    if len(values) % 2:
        return values[mid]
    return (values[mid - 1] + values[mid]) / 2


def label(variant, latency):
    return f"ours@{latency}ms" if variant == "ours" else variant


def fmt_s(v):
    if v is None:
        return "–"
    return f"{v * 1000:.0f} ms" if v < 1 else f"{v:.2f} s"


def fmt_ratio(v):
    return "–" if v is None else f"{v:.2f}"


def fmt_num(v):
    if v is None:
        return "–"
    if isinstance(v, float) and not v.is_integer():
        return f"{v:.1f}"
    return str(int(v))


class Data:
    def __init__(self, raw):
        self.meta = raw.get("meta", {})
        self.samples = raw.get("samples", [])
        self.rss = raw.get("rss", [])
        self.rate_limit = raw.get("rate_limit")
        self.parallelism = int(self.meta.get("parallelism", 10))

    def keys(self):
        """(label, variant, latency) in the order of first appearance."""
        seen = []
        for s in self.samples:
            k = (label(s["variant"], s["latency_ms"]), s["variant"], s["latency_ms"])
            if k not in seen:
                seen.append(k)
        return seen

    def sizes(self):
        return sorted({s["n"] for s in self.samples})

    def latencies(self):
        return sorted({s["latency_ms"] for s in self.samples if s["variant"] == "ours"})

    def pick(self, variant, latency, n, command):
        return [
            s
            for s in self.samples
            if s["variant"] == variant
            and s["n"] == n
            and s["command"] == command
            and (variant != "ours" or s["latency_ms"] == latency)
        ]

    def med(self, variant, latency, n, command, field="seconds"):
        rows = [s for s in self.pick(variant, latency, n, command) if s.get("exit") == 0]
        return median([s.get(field) for s in rows])

    def failures(self, variant, latency, n, command):
        return sum(1 for s in self.pick(variant, latency, n, command) if s.get("exit") != 0)

    def instances(self, n):
        for s in self.samples:
            if s["n"] == n and s.get("instances"):
                return s["instances"]
        return n


def extras(data, n):
    """(owners, contracts) at size n: the benchmark puts one of each on every tenth application."""
    x = max(data.instances(n) - n, 0) // 2
    return x, x


def limit_seconds(data, command, n, latency):
    """The round-trip limit of one command at latency > 0 (None at 0 ms): what the
    dependency chain allows (applications, then their owners and contracts)."""
    if latency <= 0:
        return None
    rtt = latency / 1000.0
    p = data.parallelism
    instances = data.instances(n)
    owners, contracts = extras(data, n)
    if command == "apply":
        # Owners and contracts wait for their application: one more level.
        return (instances / p + 2 + (1 if owners or contracts else 0)) * rtt
    if command == "destroy":
        # A contract is revoked, then deleted, before its application goes.
        after = 2 if contracts else (1 if owners else 0)
        return (instances / p + 3 + after) * rtt
    floor = data.med("noop", 0, n, "plan")
    if floor is None:
        return None
    # The platform has no owner list: each application with owners is read
    # by id, parallelism at a time; every contract on an instance comes
    # from one read of its contract list.
    trips = math.ceil(n / 250) + 2 + math.ceil(owners / p) + (1 if contracts else 0)
    return floor + trips * rtt


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def timing_tables(data, out):
    for n in data.sizes():
        inst = data.instances(n)
        extra = f" ({inst} resource instances)" if inst != n else ""
        out.append(f"### N = {n}{extra}\n")
        out.append("| variant | apply | no-op plan | destroy | failed runs |")
        out.append("|---|---|---|---|---|")
        for lab, variant, lat in data.keys():
            cells = [fmt_s(data.med(variant, lat, n, c)) for c in COMMANDS]
            fails = sum(data.failures(variant, lat, n, c) for c in COMMANDS)
            if all(c == "–" for c in cells) and not fails:
                continue
            out.append(f"| `{lab}` | " + " | ".join(cells) + f" | {fails} |")
        out.append("")


def ratio_tables(data, out):
    out.append("## Ratios to the limits\n")
    out.append(
        "Each figure is the median over the runs; a ratio of 1.00 or less meets the limit. "
        "RTT is the emulator's latency per request.\n"
    )
    out.append(
        f"- Latency limits (target: within {LATENCY_TARGET}x), the round trips the dependency "
        "chain allows (applications, then their owners and contracts): apply ≤ (I/parallelism "
        "+ 2 + E) RTT, with E = 1 when there are owners or contracts (they wait for their "
        "application); no-op plan ≤ the `noop` floor's plan + (⌈N/250⌉ + 2 + ⌈O/parallelism⌉ + "
        "C) RTT, with O the applications with owners (the platform has no owner list, so each "
        "is read by id) and C = 1 when there are contracts (one read of the instance's contract "
        "list); destroy ≤ (I/parallelism + 3 + D) RTT, with D = 2 when there are contracts (a "
        "contract is revoked, then deleted, before its application goes; 1 with owners only). I "
        "is the resource instances (applications plus owners and contracts), parallelism "
        f"{data.parallelism}. `--no-extras` measures the applications alone (E, O, C, D = 0).\n"
        f"- At 0 ms: the ratio to the `noop` floor (target ≤ {NOOP_TARGET} at N = 500) and to "
        "both `terraform_data` floors.\n"
    )
    lat_rows = []
    for lat in data.latencies():
        if lat <= 0:
            continue
        for n in data.sizes():
            for c in COMMANDS:
                got = data.med("ours", lat, n, c)
                lim = limit_seconds(data, c, n, lat)
                if got is None and lim is None:
                    continue
                # What the latency adds (the same command at 0 ms taken away),
                # against the round trips the limit allows.
                base = data.med("ours", 0, n, c)
                added = got - base if got is not None and base is not None else None
                trips = lim
                if c == "plan" and lim is not None:
                    trips = lim - (data.med("noop", 0, n, "plan") or 0)
                lat_rows.append(
                    f"| {lat} ms | {n} | {c} | {fmt_s(got)} | {fmt_s(lim)} | "
                    f"{fmt_ratio(ratio(got, lim))} | {fmt_s(added)} | {fmt_s(trips)} | "
                    f"{fmt_ratio(ratio(added, trips))} |"
                )
    if lat_rows:
        out.append(
            "The last three columns take Terraform's own time out: the time the latency adds "
            "(this command at this RTT minus the same command at 0 ms) against the round trips "
            "the limit allows.\n"
        )
        out.append(
            "| RTT | N | command | measured | limit | ratio | added by latency | "
            "round trips allowed | ratio |"
        )
        out.append("|---|---|---|---|---|---|---|---|---|")
        out.extend(lat_rows)
        out.append("")
    zero_rows = []
    for n in data.sizes():
        for c in COMMANDS:
            got = data.med("ours", 0, n, c)
            if got is None:
                continue
            r = [ratio(got, data.med(v, 0, n, c)) for v in ("noop", "tfdata-trivial", "tfdata-same")]
            zero_rows.append(
                f"| {n} | {c} | {fmt_s(got)} | " + " | ".join(fmt_ratio(x) for x in r) + " |"
            )
    if zero_rows:
        out.append("| N | command | `ours@0ms` | ÷ `noop` | ÷ `tfdata-trivial` | ÷ `tfdata-same` |")
        out.append("|---|---|---|---|---|---|")
        out.extend(zero_rows)
        out.append("")


def compare_section(data, before, out, separate=False):
    """`ours` before and after a change, from two data files (`--compare`); `separate`
    when neither is the run of the other tables."""
    out.append("## Before and after\n")
    for name, d in (("Before", before), ("After", data)):
        m = d.meta
        out.append(
            f"- {name}: {m.get('note') or 'no note'}; {m.get('date', '?')}, runs per figure "
            f"{m.get('runs', '?')}, `{m.get('command', '?')}`."
        )
    out.append(
        "\nMedians; added by latency and the round trips allowed as above (the limits of the "
        "after run); requests from the emulator's counters."
        + (" The other tables are from the run under Machine, not from these two." if separate else "")
        + "\n"
    )
    out.append(
        "| RTT | N | command | before | after | added before | added after | round trips "
        "allowed | ratio before | ratio after | requests before | requests after |"
    )
    out.append("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for lat in data.latencies():
        for n in data.sizes():
            for c in COMMANDS:
                now, then = data.med("ours", lat, n, c), before.med("ours", lat, n, c)
                if now is None and then is None:
                    continue
                row = [f"{lat} ms", str(n), c, fmt_s(then), fmt_s(now)]
                if lat > 0:
                    added = []
                    for d in (before, data):
                        got, base = d.med("ours", lat, n, c), d.med("ours", 0, n, c)
                        added.append(got - base if got is not None and base is not None else None)
                    trips = limit_seconds(data, c, n, lat)
                    if c == "plan" and trips is not None:
                        trips -= data.med("noop", 0, n, "plan") or 0
                    row += [fmt_s(added[0]), fmt_s(added[1]), fmt_s(trips)]
                    row += [fmt_ratio(ratio(a, trips)) for a in added]
                else:
                    row += ["–"] * 5
                row += [
                    fmt_num(before.med("ours", lat, n, c, "requests")),
                    fmt_num(data.med("ours", lat, n, c, "requests")),
                ]
                out.append("| " + " | ".join(row) + " |")
    out.append("")


def request_tables(data, out):
    rows = []
    for lat in data.latencies():
        for n in data.sizes():
            for c in COMMANDS:
                if not data.pick("ours", lat, n, c):
                    continue
                vals = [
                    data.med("ours", lat, n, c, f)
                    for f in ("requests", "tokens", "connections", "status429")
                ]
                rows.append(f"| {lat} ms | {n} | {c} | " + " | ".join(fmt_num(v) for v in vals) + " |")
    if not rows:
        return
    out.append("## Requests per command (`ours`)\n")
    out.append(
        "From the emulator's counters (`GET /_emulator/counters` after each command, cleared "
        "before it); medians over the runs. Connections are TCP connections the emulator "
        "accepted during the command (the connection that reads the counters is not counted).\n"
    )
    out.append("| RTT | N | command | requests | token requests | connections | 429 answers |")
    out.append("|---|---|---|---|---|---|---|")
    out.extend(rows)
    out.append("")


def rss_table(data, out):
    if not data.rss:
        return
    out.append("## Provider processes: peak RSS, CPU, token requests\n")
    out.append(
        "From one separate, untimed run per N through a wrapper that records each provider "
        "process's maximum RSS and CPU time (`/usr/bin/time`). The RSS limit is 15 MB at "
        "N = 1000; token requests are limited to one per provider process that calls the "
        "platform (the figure here divides by every process the command started, some of which "
        "may not call the platform).\n"
    )
    out.append(
        "| variant | N | command | processes | peak RSS | ÷ 15 MB | CPU (all processes) | "
        "token requests | per process |"
    )
    out.append("|---|---|---|---|---|---|---|---|---|")
    for r in data.rss:
        rss = r.get("max_rss_kb")
        tokens = r.get("tokens")
        procs = r.get("processes") or 0
        per = ratio(tokens, procs) if tokens is not None else None
        cpu = r.get("cpu_seconds")
        out.append(
            f"| `{r['variant']}` | {r['n']} | {r['command']} | {procs} | "
            f"{'–' if rss is None else f'{rss / 1024:.1f} MB'} | "
            f"{fmt_ratio(ratio(rss, RSS_LIMIT_KB))} | "
            f"{'–' if cpu is None else f'{cpu:.2f} s'} | {fmt_num(tokens)} | {fmt_ratio(per)} |"
        )
    out.append("")


def rate_limit_section(data, out):
    rl = data.rate_limit
    if not rl:
        return
    out.append("## Rate-limit scenario\n")
    if rl.get("message"):
        out.append(f"{rl['message']}\n")
    if rl.get("exit") is None:
        return
    total = rl.get("requests") or 0
    n429 = rl.get("status429") or 0
    share = (100.0 * n429 / total) if total else None
    out.append(
        f"Emulator `--rate-limit {rl.get('rate')}`, provider `max_requests_per_second = "
        f"{rl.get('rate')}`, apply of {rl.get('apps')} applications (target: no error, at most "
        "5% of requests answered 429).\n"
    )
    out.append("| exit | errors | time | requests | 429 answers | % 429 | ÷ 5% |")
    out.append("|---|---|---|---|---|---|---|")
    out.append(
        f"| {rl.get('exit')} | {rl.get('errors', 0)} | {fmt_s(rl.get('seconds'))} | {total} | "
        f"{n429} | {'–' if share is None else f'{share:.1f}%'} | "
        f"{fmt_ratio(None if share is None else share / 5.0)} |"
    )
    out.append("")


PALETTE = {
    "ours@0ms": "#1f77b4",
    "noop": "#2ca02c",
    "tfdata-trivial": "#7f7f7f",
    "tfdata-same": "#9467bd",
}
EXTRA_COLOURS = ["#d62728", "#ff7f0e", "#8c564b", "#e377c2", "#17becf", "#bcbd22"]
DASH = {"apply": "", "plan": "6,4", "destroy": "2,3"}


def svg_plot(data):
    width, height = 760, 460
    left, right, top, bottom = 70, 200, 30, 50
    pw, ph = width - left - right, height - top - bottom
    sizes = data.sizes()
    series = []
    extra = iter(EXTRA_COLOURS)
    for lab, variant, lat in data.keys():
        colour = PALETTE.get(lab) or next(extra, "#000000")
        for c in COMMANDS:
            pts = [(n, data.med(variant, lat, n, c)) for n in sizes]
            pts = [(n, v) for n, v in pts if v is not None]
            if pts:
                series.append((f"{lab} {c}", colour, DASH[c], pts))
    ymax = max([v for _, _, _, pts in series for _, v in pts] + [0.001])
    ymax = nice_ceiling(ymax)
    xs = [math.log10(n) for n in sizes] or [0.0]
    xmin, xmax = min(xs), max(xs)
    if xmax - xmin < 1e-9:
        xmin, xmax = xmin - 0.5, xmax + 0.5

    def px(n):
        return left + (math.log10(n) - xmin) / (xmax - xmin) * pw

    def py(v):
        return top + ph - v / ymax * ph

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
        '<rect width="100%" height="100%" fill="white"/>',
        f'<text x="{left}" y="18" font-size="14">Time against N (medians; x log scale)</text>',
        f'<line x1="{left}" y1="{top + ph}" x2="{left + pw}" y2="{top + ph}" stroke="black"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + ph}" stroke="black"/>',
    ]
    for i in range(5):
        v = ymax * i / 4
        y = py(v)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + pw}" y2="{y:.1f}" stroke="#dddddd"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{v:g} s</text>')
    for n in sizes:
        x = px(n)
        parts.append(f'<line x1="{x:.1f}" y1="{top + ph}" x2="{x:.1f}" y2="{top + ph + 5}" stroke="black"/>')
        parts.append(f'<text x="{x:.1f}" y="{top + ph + 18}" text-anchor="middle">{n}</text>')
    parts.append(
        f'<text x="{left + pw / 2}" y="{height - 10}" text-anchor="middle">N (applications)</text>'
    )
    for i, (name, colour, dash, pts) in enumerate(series):
        coords = " ".join(f"{px(n):.1f},{py(v):.1f}" for n, v in pts)
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(
            f'<polyline fill="none" stroke="{colour}" stroke-width="2"{dash_attr} points="{coords}"/>'
        )
        for n, v in pts:
            parts.append(f'<circle cx="{px(n):.1f}" cy="{py(v):.1f}" r="2.5" fill="{colour}"/>')
        ly = top + 10 + i * 16
        lx = left + pw + 15
        parts.append(
            f'<line x1="{lx}" y1="{ly}" x2="{lx + 24}" y2="{ly}" stroke="{colour}" stroke-width="2"{dash_attr}/>'
        )
        parts.append(f'<text x="{lx + 30}" y="{ly + 4}">{escape(name)}</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def nice_ceiling(v):
    exp = math.floor(math.log10(v))
    base = 10**exp
    for m in (1, 2, 2.5, 5, 10):
        if v <= m * base:
            return m * base
    return 10 * base


def escape(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def markdown(data, svg_name, data_name):
    m = data.meta
    out = ["# Performance", ""]
    out.append(
        "<!-- Generated by scripts/bench.sh (scripts/bench_report.py); edit those, not this file. -->\n"
    )
    if m.get("note"):
        out.append(f"> **{m['note']}**\n")
    out.append("## How to run it\n")
    out.append("```sh")
    out.append("scripts/bench.sh                       # N = 10 100 500 1000, 3 interleaved runs, 0 and 100 ms")
    out.append('scripts/bench.sh --sizes "10 100" --runs 1 --no-extras')
    out.append("scripts/bench.sh --rate-limit-scenario  # adds the --rate-limit 20 scenario")
    out.append("scripts/bench.sh --profile 500          # perf profile of one apply and one no-op plan")
    out.append("scripts/bench.sh --compare OLD-data.json # adds a before-and-after section")
    out.append("```\n")
    out.append(
        "It builds the release binaries and the no-op floor provider (`cargo build --release "
        "--locked --bins --example noop-provider`), starts the release emulator with `--admin`, and "
        "for each N generates a configuration of N `anypoint_client_application` (name, "
        "description, url, redirect_uris, grant_types)"
        + (
            ", one `anypoint_client_application_owner` on every tenth application and one "
            "`anypoint_client_application_contract` (orders-api, Gold tier) on every tenth "
            "application"
            if m.get("extras", True)
            else ""
        )
        + ". Every variant runs `terraform apply`, a no-op `terraform plan` (with refresh, "
        "`-detailed-exitcode` 0 required) and `terraform destroy`, with "
        f"`-parallelism={data.parallelism}`, a local backend in a temporary directory and "
        "`TF_IN_AUTOMATION=1`; runs are interleaved (run 1 of every variant, then run 2, …) and "
        "the tables show medians.\n"
    )
    out.append(
        "- `ours@Lms`: this provider against the emulator with L ms added to every request.\n"
        "- `noop`: a provider with exactly our schemas, built from our own plugin layer and "
        "framework (`benches/noop_provider.rs`), that makes no platform call: the floor for "
        "what Terraform, the plugin protocol and the framework cost.\n"
        "- `tfdata-trivial`: `terraform_data` with `input = count.index`, as many instances.\n"
        "- `tfdata-same`: `terraform_data` holding the same values per instance as our resources.\n"
    )
    out.append("## Machine\n")
    out.append(f"- Date: {m.get('date', '?')}")
    out.append(f"- CPUs (`nproc`): {m.get('nproc', '?')}; CPU: {m.get('cpu', '?')}")
    out.append(f"- Terraform: {m.get('terraform', '?')}")
    out.append(
        f"- Runs per figure: {m.get('runs', '?')}; sizes: {m.get('sizes', '?')}; latencies: "
        f"{m.get('latencies', '?')} ms"
    )
    if m.get("command"):
        out.append(f"- Command: `{m['command']}`")
    out.append("")
    out.append(f"![Time against N]({svg_name})\n")
    out.append(
        f"Raw samples: [`{data_name}`]({data_name}) (every run, with the emulator's counters).\n"
    )
    out.append("## Times (medians)\n")
    timing_tables(data, out)
    ratio_tables(data, out)
    compare = os.environ.get("BENCH_COMPARE")
    if compare:
        with open(compare, encoding="utf-8") as f:
            before = Data(json.load(f))
        after, separate = data, False
        if os.environ.get("BENCH_COMPARE_AFTER"):
            with open(os.environ["BENCH_COMPARE_AFTER"], encoding="utf-8") as f:
                after, separate = Data(json.load(f)), True
        compare_section(after, before, out, separate)
    request_tables(data, out)
    rss_table(data, out)
    rate_limit_section(data, out)
    out.append("## Profiling\n")
    out.append(
        "`scripts/bench.sh --profile N` builds, starts the emulator at 0 ms, generates the "
        "configuration for N and runs one apply and one no-op plan with every provider process "
        "under `perf record -g` (a wrapper in the `dev_overrides` directory). For each command it "
        "says how many provider processes Terraform started and prints, for the three busiest "
        "(largest profiles), the symbols with at least 1% of the samples by self time "
        "(`perf report --no-children --sort dso,symbol -n`); the `perf-PID.data` files stay in "
        "the directory it names, for `perf report -i FILE` (add `--children` for the call "
        "graph).\n\n"
        "How to read it: the wall time of a command is mostly Terraform's; a provider process "
        "with a few dozen samples is cheap however long the command took. In the provider, "
        "`_dl_*` and `do_lookup_x` (ld-linux) are process start-up; `aws_lc_*` `bignum_*_p521` "
        "and `X25519` are the TLS handshake with Terraform (its AutoMTLS certificate uses "
        "P-521); `h2::`, `tonic::` and `tfvalue` are the gRPC layer and the msgpack codec; "
        "`reqwest`/`hyper` and `anypoint_provider::anypoint` are the HTTP client; `malloc`, "
        "`memmove` and `drop_in_place` are allocation and copying (look at their callers with "
        "`--children`); kernel symbols such as `finish_task_switch` and `futex` are threads "
        "waking and sleeping. Where perf cannot attach (no `perf_event_open`, e.g. in a "
        "container) it falls back to `TF_LOG_PROVIDER=debug` and prints, per command, how long "
        "the provider log spans, its busiest 100 ms windows and its longest silences (the line "
        "that ended each), which show where the provider waited on Terraform or the platform.\n"
    )
    return "\n".join(out).rstrip() + "\n"


def main(argv):
    if len(argv) != 4 or argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if len(argv) == 2 else 2
    with open(argv[1], encoding="utf-8") as f:
        data = Data(json.load(f))
    md_path, svg_path = argv[2], argv[3]
    svg_rel = os.path.relpath(svg_path, os.path.dirname(os.path.abspath(md_path)))
    data_rel = os.path.relpath(argv[1], os.path.dirname(os.path.abspath(md_path)))
    with open(svg_path, "w", encoding="utf-8") as f:
        f.write(svg_plot(data))
    text = markdown(data, svg_rel, data_rel)
    with open(md_path, "w", encoding="utf-8") as f:
        f.write(text)
    if os.environ.get("BENCH_REPORT_QUIET") != "1":
        # Every figure with its ratio to its limit, on the terminal too.
        start = text.find("## Times (medians)")
        end = text.find("## Profiling")
        print(text[start:end].rstrip())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
