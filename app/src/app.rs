//! The root component: loads the data set once and shows it, or what is being fetched, or what
//! went wrong. Its root element's `data-state` (`loading`, `ready`, `error`) is what the
//! end-to-end tests wait on.

use leptos::prelude::*;

use crate::dashboard::Dashboard;
use crate::data::{self, LoadError, Progress};

/// The whole page.
#[component]
pub fn App() -> impl IntoView {
    let progress = RwSignal::new(Progress::Starting);
    let dataset = LocalResource::new(move || data::load(progress));
    let state = move || match dataset.get() {
        None => "loading",
        Some(Ok(_)) => "ready",
        Some(Err(_)) => "error",
    };
    let folder = move || {
        dataset
            .get()
            .and_then(Result::ok)
            .map(|dataset| dataset.folder.clone())
    };

    view! {
        <div class="app" data-state=state>
            <header class="masthead">
                <div class="brand">
                    <span class="logo" aria-hidden="true">"◆"</span>
                    <span class="name">"allot"</span>
                    <span class="tagline">"AI spend by provider, model and team"</span>
                </div>
                <span class="folder">{folder}</span>
            </header>
            <main>
                {move || match dataset.get() {
                    None => view! { <Loading progress /> }.into_any(),
                    Some(Ok(dataset)) => view! { <Dashboard dataset /> }.into_any(),
                    Some(Err(error)) => view! { <LoadFailed error /> }.into_any(),
                }}
            </main>
        </div>
    }
}

/// What is being fetched, while it is.
#[component]
fn Loading(progress: RwSignal<Progress>) -> impl IntoView {
    view! {
        <section class="panel loading" aria-live="polite">
            <div class="spinner" aria-hidden="true"></div>
            <p>{move || progress.get().to_string()}</p>
        </section>
    }
}

/// Why there is nothing to show.
#[component]
fn LoadFailed(error: LoadError) -> impl IntoView {
    let message = error.to_string();
    leptos::logging::error!("allot: {message}");
    let title = match error {
        LoadError::ManifestMissing { .. } => "No data yet",
        _ => "The data could not be loaded",
    };

    view! {
        <section class="panel failure" role="alert">
            <h2>{title}</h2>
            <p id="error">{message}</p>
        </section>
    }
}
