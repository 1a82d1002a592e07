//! The allot dashboard: a client-side Leptos app, served as static files, that loads a published
//! data set, allocates it to teams and shows who drove the AI spend.

mod app;
mod charts;
mod dashboard;
mod data;
mod format;
mod period;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
