//! The project's own commands, as a library so the end-to-end tests use the same steps as
//! `cargo xtask demo`: installing the pinned tools, generating the demo data and building the
//! dashboard.

pub mod demo_data;
pub mod tools;
