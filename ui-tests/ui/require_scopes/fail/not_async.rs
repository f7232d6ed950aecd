use scope_runtime::require_scopes;

#[require_scopes("app:read")]
fn agents() -> &'static str {
    "[]"
}

fn main() {
    let _ = agents();
}
