// `scopes!` works when invoked from a user's `macro_rules!`.
use scope_runtime::{scopes, Policy};

macro_rules! read_only {
    ($($path:literal),* $(,)?) => {
        scopes! { $($path => ["app:read"]),* }
    };
}

static P: Policy = read_only!("GET /a", "GET /b/*");

fn main() {
    assert_eq!(P.lookup_str("GET", "/b/x").unwrap().key(), "GET /b/*");
    assert_eq!(P.rules().len(), 2);
}
