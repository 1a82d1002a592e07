//! The allocation benchmark in the browser: the native benchmark's workload (50 rules over 1
//! and 5 million generated charges, allocated to teams and summed by team × day × provider),
//! run as WebAssembly in headless Chromium, printing milliseconds per million rows.
//!
//! ```sh
//! CHROMEDRIVER=/usr/bin/chromedriver WASM_BINDGEN_TEST_TIMEOUT=900 \
//! CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
//!   cargo test -p allot-core --release --target wasm32-unknown-unknown --test browser_benchmark
//! ```
//!
//! `core/webdriver.json` gives Chromium the flags it needs to run as root in a container.

#![cfg(target_arch = "wasm32")]

use allot_core::aggregate::{Filter, GroupBy, Totals, aggregate};
use allot_core::allocation::{Rules, allocate};
use allot_core::table::ChargeTable;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen_test::{console_log, wasm_bindgen_test, wasm_bindgen_test_configure};

#[path = "support/workload.rs"]
mod workload;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen]
extern "C" {
    /// `performance.now()`: milliseconds, with sub-millisecond resolution.
    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    fn now_millis() -> f64;
}

fn allocate_and_aggregate(table: &ChargeTable, rules: &Rules) -> Totals {
    let team = allocate(table, rules, "team");
    let by = [GroupBy::Dimension(0), GroupBy::Day, GroupBy::Provider];
    aggregate(table, &[&team], &by, &Filter::default())
}

#[wasm_bindgen_test]
fn allocate_and_aggregate_a_million_and_five_million_rows() {
    let rules = workload::rules();
    for millions in [1_u32, 5] {
        let rows = millions as usize * 1_000_000;
        let start = now_millis();
        let table = workload::charges(rows);
        let decode_millis = now_millis() - start;

        let warm_up = allocate_and_aggregate(&table, &rules);
        assert_eq!(
            warm_up
                .groups
                .iter()
                .map(|(_, amount)| *amount)
                .sum::<allot_core::Amount>(),
            warm_up.total
        );
        let runs = 10;
        let start = now_millis();
        for _ in 0..runs {
            std::hint::black_box(allocate_and_aggregate(&table, &rules));
        }
        let millis = (now_millis() - start) / f64::from(runs);
        console_log!(
            "browser (wasm32): allocate + aggregate (team × day × provider), {rows} rows, 50 \
             rules: {millis:.1} ms, {:.1} ms per million rows (building the table took {:.0} ms)",
            millis / f64::from(millions),
            decode_millis
        );
    }
}
