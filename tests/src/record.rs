//! What handlers record, so a test can show that a denied request reached nothing: entry
//! counts ([`Hits`]) and the values extractors handed over ([`Log`]).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::handler::Handler;

/// How many times handlers sharing this counter were entered (clones share the count).
#[derive(Clone, Default, Debug)]
pub struct Hits(Arc<AtomicUsize>);

impl Hits {
    /// Counts one entry.
    pub fn hit(&self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }

    /// The entries so far.
    pub fn get(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

/// A handler that counts its entries in `hits` and answers `body`. It has no extractor,
/// so no extractor's refusal can hide that the route was reached.
pub fn counted(body: &'static str, hits: &Hits) -> impl Handler<((),), ()> + use<> {
    let hits = hits.clone();
    move || async move {
        hits.hit();
        body
    }
}

/// The values handlers were entered with, in order: what a handler would have acted on
/// (clones share the log).
#[derive(Clone, Default, Debug)]
pub struct Log(Arc<Mutex<Vec<String>>>);

impl Log {
    /// Records one entry.
    pub fn push(&self, entry: String) {
        self.0.lock().expect("not poisoned").push(entry);
    }

    /// Every entry so far.
    pub fn all(&self) -> Vec<String> {
        self.0.lock().expect("not poisoned").clone()
    }

    /// Every entry so far, leaving the log empty.
    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.lock().expect("not poisoned"))
    }
}
