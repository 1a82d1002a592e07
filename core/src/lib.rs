//! allot's core: the normalized charge table, its Parquet form, allocation and aggregation.
//!
//! This crate does no I/O: it turns bytes into charges and charges into numbers, the same way
//! in the collector (native) and in the dashboard (wasm32), so the two can never disagree.

pub mod aggregate;
pub mod allocation;
pub mod charge;
pub mod hash;
pub mod manifest;
pub mod model;
pub mod money;
pub mod parquet_io;
pub mod schema;
pub mod table;

pub use charge::{Charge, ChargeCategory, TokenType};
pub use money::Amount;
