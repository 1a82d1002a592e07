"""Runs `allot collect` and DuckDB side by side on one CUR 2.0 Parquet file, for `cargo xtask bench-cur`.

Usage: cur2_bench.py <allot binary> <work folder> <lines> <runs>

Writes (once, then reuses) a generated CUR 2.0 export of <lines> lines, about 1% of them Amazon
Bedrock (see cur2_generate.py). Then, <runs> times each, it times:

- allot: `allot collect --source aws` on the file, into a fresh folder: it finds the Bedrock
  lines, sums every other line's cost as not AI, writes the AI charges as Parquet and
  reconciles. Its peak memory is the largest resident set of the process (wait4).
- DuckDB: the same filter (product code AmazonBedrock, or an AWS Marketplace product named
  "... (Amazon Bedrock Edition)") on the same file, the Bedrock lines summed by UTC day and by
  the columns allot keeps them apart by, and every other line's cost summed as not AI.

It prints the best wall time of each, their ratio and allot's peak memory, and checks that both
found the same lines and the same money.
"""

import json
import os
import shutil
import subprocess
import sys
import time
from decimal import Decimal

import duckdb

allot, work, lines, runs = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
os.makedirs(work, exist_ok=True)
export = os.path.join(work, f"cur2-{lines}.parquet")
if not os.path.exists(export):
    started = time.perf_counter()
    partial = export + ".partial"
    subprocess.run(
        [sys.executable, os.path.join(os.path.dirname(__file__), "cur2_generate.py"), partial,
         str(lines)],
        check=True,
    )
    os.replace(partial, export)
    print(f"generated {export} in {time.perf_counter() - started:.1f} s", flush=True)
size_mib = os.path.getsize(export) / 2**20

# Read the file once so that both tools start from the page cache.
with open(export, "rb") as warm:
    while warm.read(1 << 24):
        pass


def run_allot():
    """One `allot collect` run: its wall time, its peak resident memory in MiB, its report."""
    out = os.path.join(work, "allot-out")
    shutil.rmtree(out, ignore_errors=True)
    report = os.path.join(work, "allot-report.json")
    started = time.perf_counter()
    process = subprocess.Popen(
        [allot, "collect", "--source", "aws", "--input", export, "--out", out, "--report-json",
         report],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"allot collect failed (exit status {os.waitstatus_to_exitcode(status)})")
    with open(report) as file:
        return seconds, usage.ru_maxrss / 1024, json.load(file)[0]


# The same job in SQL: find the Bedrock lines, sum them by UTC day and by what allot keeps
# them apart by (account, IAM principal without its session, usage type, product, resource,
# line item type, tags), and sum every other line's cost by currency as not AI.
DUCKDB_QUERY = f"""
WITH lines AS (
  SELECT
    line_item_product_code = 'AmazonBedrock'
      OR (bill_billing_entity = 'AWS Marketplace'
          AND product['product_name'] LIKE '%(Amazon Bedrock Edition)') AS bedrock,
    *
  FROM read_parquet('{export}')
)
SELECT
  bedrock,
  line_item_currency_code AS currency,
  CASE WHEN bedrock THEN date_trunc('day', line_item_usage_start_date) END AS day,
  CASE WHEN bedrock THEN line_item_usage_account_id END AS account,
  CASE WHEN bedrock THEN regexp_replace(line_item_iam_principal, '/[^/]*$', '') END AS principal,
  CASE WHEN bedrock THEN line_item_usage_type END AS usage_type,
  CASE WHEN bedrock THEN product['product_name'] END AS product_name,
  CASE WHEN bedrock THEN line_item_resource_id END AS resource,
  CASE WHEN bedrock THEN line_item_line_item_type END AS line_item_type,
  CASE WHEN bedrock THEN resource_tags END AS resource_tags,
  CASE WHEN bedrock THEN tags END AS tags,
  count(*) AS lines,
  sum(line_item_unblended_cost) AS cost,
  sum(CASE WHEN bedrock THEN line_item_usage_amount END) AS usage,
  sum(CASE WHEN bedrock THEN pricing_public_on_demand_cost END) AS list_cost
FROM lines
GROUP BY ALL
"""


def run_duckdb():
    connection = duckdb.connect()
    started = time.perf_counter()
    rows = connection.sql(DUCKDB_QUERY).fetchall()
    seconds = time.perf_counter() - started
    connection.close()
    return seconds, rows


allot_seconds, duckdb_seconds, peaks = [], [], []
for _ in range(runs):
    seconds, peak_mib, report = run_allot()
    allot_seconds.append(seconds)
    peaks.append(peak_mib)
    seconds, rows = run_duckdb()
    duckdb_seconds.append(seconds)
peak_mib = max(peaks)

# Both must have found the same lines and the same money (DuckDB's sums are floats).
duckdb_kept = sum(row[11] for row in rows if row[0])
duckdb_ai = sum(row[12] for row in rows if row[0])
duckdb_not_ai = sum(row[12] for row in rows if not row[0])
allot_ai = Decimal(report["output_cost"].get("USD", "0"))
allot_not_ai = Decimal(report["not_ai_cost"].get("USD", "0"))
assert report["rows_read"] == lines, report["rows_read"]
assert report["rows_kept"] == duckdb_kept, (report["rows_kept"], duckdb_kept)
assert abs(allot_ai - Decimal(duckdb_ai)) < Decimal("0.001"), (allot_ai, duckdb_ai)
assert abs(allot_not_ai - Decimal(duckdb_not_ai)) < Decimal("0.01"), (allot_not_ai, duckdb_not_ai)

best_allot, best_duckdb = min(allot_seconds), min(duckdb_seconds)
days = len({row[2] for row in rows if row[0]})
groups = sum(1 for row in rows if row[0])
print(f"CUR 2.0 Parquet: {lines:,} lines, {size_mib:,.0f} MiB; {report['rows_kept']:,} Bedrock "
      f"lines over {days} days ({groups:,} daily groups); best of {runs} runs each")
print(f"  allot collect   {best_allot:8.2f} s   peak memory {peak_mib:,.0f} MiB   "
      f"(runs: {', '.join(f'{s:.2f}' for s in allot_seconds)})")
print(f"  DuckDB {duckdb.__version__:8} {best_duckdb:8.2f} s   "
      f"(runs: {', '.join(f'{s:.2f}' for s in duckdb_seconds)})")
print(f"  allot / DuckDB  {best_allot / best_duckdb:8.2f}   (below 1: allot is faster)")
print(f"  totals agree: AI {allot_ai} USD exact ({duckdb_ai:.6f} in DuckDB's floats), "
      f"not AI {allot_not_ai} USD")
