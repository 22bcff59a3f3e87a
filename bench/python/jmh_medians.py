"""Prints the median of each JMH benchmark's measurement iterations from a `-rf json` result file."""
import json
import statistics
import sys

for r in json.load(open(sys.argv[1])):
    raw = [x for fork in r["primaryMetric"]["rawData"] for x in fork]
    params = ",".join(f"{k}={v}" for k, v in (r.get("params") or {}).items())
    name = r["benchmark"].rsplit(".", 2)[-2] + "." + r["benchmark"].rsplit(".", 1)[-1]
    print(f"{name}[{params}] threads={r['threads']} median={statistics.median(raw):.6g} {r['primaryMetric']['scoreUnit']} (n={len(raw)})")
