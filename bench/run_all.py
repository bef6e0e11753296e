"""Run every benchmark script in bench/ at one scale and write docs/performance.md.

    .venv/bin/python bench/run_all.py [--scale small|medium|large] [--enterprises N --needs N --talents N
        --postings N] [--only scale_queries,cockpit] [--output docs/performance.md]

`make bench` runs it at the default scale (small: minutes on a 2-core machine). Scripts needing PostgreSQL read
DATABASE_URL; without it they say so and the report records them as skipped. Each script prints its figures and one
final JSON line (bench/_common.py: emit); a script without that line is reported with the tail of its output.
Every script also gets the scale in its environment (BENCH_SCALE, BENCH_ENTERPRISES, BENCH_NEEDS, BENCH_TALENTS,
BENCH_POSTINGS) so a script without arguments can follow it.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import ROOT, machine, setup_django

BENCH = ROOT / "bench"
SCALES: dict[str, dict[str, int]] = {
    "small": {"enterprises": 5_000, "needs": 15_000, "talents": 5_000, "postings": 2_500},
    "medium": {"enterprises": 100_000, "needs": 300_000, "talents": 100_000, "postings": 50_000},
    "large": {"enterprises": 1_000_000, "needs": 5_000_000, "talents": 2_000_000, "postings": 500_000},
}
#: Per script, its own arguments for a scale (scripts not listed run without arguments).
TIMEOUT_S = {"small": 900, "medium": 3600, "large": 4 * 3600}


def script_args(name: str, counts: dict[str, int]) -> list[str]:
    n_needs, n_post = counts["needs"], counts["postings"]
    return {
        "scale_queries": [f"--{key}={value}" for key, value in counts.items()],
        "service_requests": [f"--needs={n_needs}"],
        # scale_queries runs first and leaves generate_scale's province in the database: the cockpit times that.
        "cockpit": ["--existing"],
        "matching": [f"--n={n_post}", f"--embed={min(2000, max(200, n_post // 20))}", "--queries=100"],
        "policies": [f"--talents={counts['talents']}"],
    }.get(name, [])


def run(path: Path, counts: dict[str, int], scale_name: str) -> dict[str, Any]:
    args = script_args(path.stem, counts)
    env = {**os.environ, "BENCH_SCALE": scale_name, **{f"BENCH_{k.upper()}": str(v) for k, v in counts.items()}}
    command = [sys.executable, str(path), *args]
    print(f"== {path.name} {' '.join(args)}", flush=True)
    start = time.perf_counter()
    try:
        done = subprocess.run(
            command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=TIMEOUT_S.get(scale_name, 3600)
        )
        output, code = done.stdout, done.returncode
        errors = done.stderr
    except subprocess.TimeoutExpired as expired:
        output, code, errors = str(expired.stdout or ""), -1, "timed out"
    elapsed = time.perf_counter() - start
    print(output[-3000:], flush=True)
    if code:
        print(errors[-3000:], flush=True)
    report: dict[str, Any] = {}
    for line in reversed(output.strip().splitlines()):
        if line.startswith("{"):
            try:
                report = json.loads(line)
                break
            except ValueError:
                continue
    human = "\n".join(line for line in output.splitlines() if not line.startswith('{"script"'))
    return {
        "name": path.stem,
        "command": " ".join(["python", f"bench/{path.name}", *args]),
        "seconds": round(elapsed, 1),
        "exit": code,
        "report": report,
        "output": human[-4000:],
        "errors": errors[-2000:] if code else "",
    }


def _cell(value: Any) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def render(runs: list[dict[str, Any]], counts: dict[str, int], scale_name: str, command: str) -> str:
    facts = machine()
    lines = [
        "# Performance",
        "",
        f"Written by `bench/run_all.py` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}. Do not edit by hand:",
        "run the command below again. How to read the figures and what is planned for scale: docs/scaling.md.",
        "",
        f"- **Command:** `{command}`",
        f"- **Scale ({scale_name}):** " + ", ".join(f"{v:,} {k}" for k, v in counts.items()),
        f"- **Machine:** {facts.get('cores')} cores ({facts.get('cpu', '?')}), {facts.get('ram_gib', '?')} GiB RAM, "
        f"Python {facts.get('python')}, Django {facts.get('django', '?')}, "
        + (f"PostgreSQL {facts['postgresql']}" if "postgresql" in facts else f"database {facts.get('database', '?')}")
        + f"; load average at the end {facts.get('load_average')} (the machine is shared: figures are upper bounds).",
        "- **Server time** is measured in-process through Django's test client (middleware, queries, templates), with",
        "  DEBUG on (query logging costs a little); network and gunicorn are not included.",
        "",
        "## Summary",
        "",
        "| script | operation | figure | queries | target | met | compared against |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in runs:
        results = r["report"].get("results") or []
        if not results:
            status = "skipped: " + r["report"]["skipped"] if r["report"].get("skipped") else f"exit {r['exit']}"
            lines.append(f"| {r['name']} | (no JSON figures: see its output below) | {status} | | | | |")
        for res in results:
            target = res.get("target", "")
            met = {True: "yes", False: "**no**"}.get(res.get("met"), "")
            lines.append(
                f"| {r['name']} | {_cell(res.get('operation'))} | {_cell(res.get('value'))} {_cell(res.get('unit', ''))}"
                f" | {_cell(res.get('queries', ''))} | {_cell(target)} | {met} | {_cell(res.get('comparison', ''))} |"
            )
    lines += ["", "## Each script", ""]
    for r in runs:
        lines += [
            f"### {r['name']}",
            "",
            f"`{r['command']}` — {r['seconds']} s, exit {r['exit']}",
            "",
            "```text",
            r["output"].strip() or "(no output)",
            "```",
            "",
        ]
        if r["errors"]:
            lines += ["Errors:", "", "```text", r["errors"].strip(), "```", ""]
        for label, plan in (r["report"].get("explain") or {}).items():
            lines += [f"EXPLAIN (ANALYZE, BUFFERS) of the slowest query of *{label}*:", "", "```text", plan, "```", ""]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=sorted(SCALES), default="small")
    for key in SCALES["small"]:
        parser.add_argument(f"--{key}", type=int)
    parser.add_argument("--only", help="comma-separated script names (default: every script in bench/)")
    parser.add_argument("--output", default=str(ROOT / "docs" / "performance.md"))
    parser.add_argument(
        "--append", action="store_true", help="add this run to the report as a further section instead of replacing it"
    )
    args = parser.parse_args()
    counts = {key: getattr(args, key) or value for key, value in SCALES[args.scale].items()}
    scale_name = args.scale if counts == SCALES[args.scale] else "custom"
    scripts = sorted(
        (p for p in BENCH.glob("*.py") if not p.name.startswith("_") and p.name != "run_all.py"),
        key=lambda p: (p.stem != "scale_queries", p.stem),  # it fills the database the others read
    )
    if args.only:
        wanted = set(args.only.split(","))
        scripts = [p for p in scripts if p.stem in wanted]
    setup_django()
    runs = [run(path, counts, scale_name) for path in scripts]
    command = "python bench/run_all.py " + " ".join(sys.argv[1:])
    report = render(runs, counts, scale_name, command.strip())
    output = Path(args.output)
    if args.append and output.exists():
        # One more run in the same file: its headings one level down, under a heading naming the run.
        body = report.split("\n", 1)[1].replace("\n### ", "\n#### ").replace("\n## ", "\n### ")
        report = output.read_text(encoding="utf-8").rstrip() + f"\n\n## Further run: {scale_name} scale\n" + body
    output.write_text(report, encoding="utf-8")
    print(f"wrote {args.output}")
    sys.exit(1 if any(r["exit"] for r in runs) else 0)


if __name__ == "__main__":
    main()
