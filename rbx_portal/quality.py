"""Rebuild docs/QUALITY.md from the last test run: `make quality` (runs the suite, then this module).

Reads var/quality/junit.xml (pytest's report) and the figures tests recorded with the `record_figure` fixture,
and rewrites the "Test run" and "Figures" sections between their markers; the benchmark section written by
`make bench` is kept as it is.
"""

from __future__ import annotations

import json
import platform
import re
import sys
import time
import xml.etree.ElementTree as ET  # noqa: S405 - our own pytest report
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUALITY = ROOT / "var" / "quality"
REPORT = ROOT / "docs" / "QUALITY.md"


def _replace_section(text: str, marker: str, block: str) -> str:
    block = f"<!-- {marker}:start (written by `make quality`; do not edit by hand) -->\n{block}\n<!-- {marker}:end -->"
    pattern = rf"<!-- {marker}:start.*?<!-- {marker}:end -->"
    if re.search(pattern, text, flags=re.S):
        return re.sub(pattern, lambda _: block, text, flags=re.S)
    return text.rstrip() + f"\n\n{block}\n"


def _test_run() -> str:
    junit = QUALITY / "junit.xml"
    if not junit.exists():
        return "No test report yet: run `make quality`."
    root = ET.parse(junit).getroot()  # noqa: S314
    suites = [root] if root.tag == "testsuite" else list(root)
    totals = defaultdict(int)
    by_area: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for suite in suites:
        for key in ("tests", "failures", "errors", "skipped"):
            totals[key] += int(suite.get(key, 0))
        totals["time"] += float(suite.get("time", 0))
        for case in suite.iter("testcase"):
            area = case.get("classname", "").split(".")[1] if "." in case.get("classname", "") else "tests"
            by_area[area][0] += 1
            if case.find("failure") is None and case.find("error") is None and case.find("skipped") is None:
                by_area[area][1] += 1
    passed = totals["tests"] - totals["failures"] - totals["errors"] - totals["skipped"]
    lines = [
        f"Last run {time.strftime('%Y-%m-%d %H:%M %Z', time.localtime(junit.stat().st_mtime))} on "
        f"{platform.machine()}, Python {platform.python_version()}: **{passed} passed**, {totals['failures']} failed, "
        f"{totals['errors']} errors, {totals['skipped']} skipped in {totals['time']:.0f} s.",
        "",
        "| area | tests | passed |",
        "| --- | ---: | ---: |",
    ]
    lines += [f"| {area} | {n} | {ok} |" for area, (n, ok) in sorted(by_area.items())]
    return "\n".join(lines)


def _figures() -> str:
    rows = []
    for path in sorted(QUALITY.glob("figures-*.jsonl")):
        rows += [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    if not rows:
        return "No figures recorded yet."
    lines = ["| figure | values | test |", "| --- | --- | --- |"]
    for row in sorted(rows, key=lambda r: (r["name"], r["test"])):
        values = ", ".join(f"{k}: {v}" for k, v in row["data"].items())
        lines.append(f"| {row['name']} | {values} | `{row['test']}` |")
    return "\n".join(lines)


def main() -> int:
    text = REPORT.read_text() if REPORT.exists() else "# Quality figures\n"
    text = _replace_section(text, "tests", "## Test run\n\n" + _test_run())
    text = _replace_section(text, "figures", "## Figures recorded by the tests\n\n" + _figures())
    REPORT.write_text(text)
    print(f"wrote {REPORT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
