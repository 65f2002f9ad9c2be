"""Two scales side by side, on each database, as a Markdown table for docs/performance.md.

    .venv/bin/python bench/compare.py bench/results/<date>-sqlite-small.json \
        bench/results/<date>-sqlite-large.json \
        bench/results/<date>-postgresql-small.json bench/results/<date>-postgresql-large.json

Files come in pairs (the smaller scale first); each pair gives three columns: the two medians
and their ratio. The KPI rows give each scale's ratio to its hand-written limit instead.
"""

import json
import sys
from pathlib import Path


def _load(path):
    report = json.loads(Path(path).read_text())
    return report, {row["scenario"]: row for row in report["scenarios"]}


def main(paths):
    if not paths or len(paths) % 2:
        sys.exit(__doc__)
    pairs = [(_load(a), _load(b)) for a, b in zip(paths[::2], paths[1::2], strict=True)]
    header, rule = ["scenario"], ["---"]
    for (small, _), (large, _) in pairs:
        name = small["machine"]["database"].split()[0]
        header += [f"{name} {small['scale']}", f"{name} {large['scale']}", "×"]
        rule += ["---:"] * 3
    header.append("queries")
    rule.append("---:")
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(rule) + " |"]
    kpis = []
    for name, first in pairs[0][0][1].items():
        if name.startswith("KPI "):
            kpis.append(name)
            continue
        cells = [name]
        for (_, small), (_, large) in pairs:
            a, b = small.get(name), large.get(name)
            if a is None or b is None:
                cells += ["", "", ""]
                continue
            ratio = b["median_ms"] / a["median_ms"] if a["median_ms"] else 0
            cells += [f"{a['median_ms']:,.0f}", f"{b['median_ms']:,.0f}", f"{ratio:.1f}"]
        cells.append(str(first["queries"]))
        lines.append("| " + " | ".join(cells) + " |")
    print("\n".join(lines))
    if not kpis:
        return
    print()
    header, rule = ["figure"], ["---"]
    for (small, _), (large, _) in pairs:
        name = small["machine"]["database"].split()[0]
        for report in (small, large):
            header.append(f"{name} {report['scale']}: ms / limit ms / ×")
            rule.append("---:")
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(rule) + " |"]
    for name in kpis:
        cells = [name.removeprefix("KPI ")]
        for pair in pairs:
            for _report, rows in pair:
                row = rows.get(name)
                if row is None:
                    cells.append("")
                    continue
                differs = "" if row.get("agrees", True) else " (differs!)"
                cells.append(
                    f"{row['median_ms']:,.1f} / {row['limit_ms']:,.1f} / "
                    f"{row['ratio_to_limit']:.2f}{differs}"
                )
        lines.append("| " + " | ".join(cells) + " |")
    print("\n".join(lines))


if __name__ == "__main__":
    main(sys.argv[1:])
