//! Allocation and aggregation speed: 50 rules over 1 million and 5 million generated charges,
//! allocated to teams and summed by team × day × provider, as the dashboard does on a rule
//! edit. Criterion measures; a summary line per size gives milliseconds per million rows.
//!
//! Run with `cargo bench -p allot-core --bench allocation`.

use std::hint::black_box;
use std::time::Instant;

use allot_core::aggregate::{Filter, GroupBy, Totals, aggregate};
use allot_core::allocation::{Rules, allocate};
use allot_core::table::ChargeTable;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

#[path = "../tests/support/workload.rs"]
mod workload;

fn allocate_and_aggregate(table: &ChargeTable, rules: &Rules) -> Totals {
    let team = allocate(table, rules, "team");
    let by = [GroupBy::Dimension(0), GroupBy::Day, GroupBy::Provider];
    aggregate(table, &[&team], &by, &Filter::default())
}

fn allocation(criterion: &mut Criterion) {
    let rules = workload::rules();
    let mut group = criterion.benchmark_group("allocate_and_aggregate");
    group.sample_size(10);
    for rows in [1_000_000_usize, 5_000_000] {
        let table = workload::charges(rows);
        group.throughput(Throughput::Elements(rows as u64));
        group.bench_with_input(
            BenchmarkId::from_parameter(rows),
            &table,
            |bencher, table| {
                bencher.iter(|| black_box(allocate_and_aggregate(table, &rules)));
            },
        );

        let runs = 10;
        let start = Instant::now();
        for _ in 0..runs {
            black_box(allocate_and_aggregate(&table, &rules));
        }
        let millis_per_run = start.elapsed().as_secs_f64() * 1000.0 / f64::from(runs);
        let millions = f64::from(u32::try_from(rows).expect("a few million rows")) / 1e6;
        println!(
            "allocate + aggregate (team × day × provider), {rows} rows, 50 rules: \
             {millis_per_run:.1} ms, {:.1} ms per million rows",
            millis_per_run / millions
        );
    }
    group.finish();
}

criterion_group!(benches, allocation);
criterion_main!(benches);
