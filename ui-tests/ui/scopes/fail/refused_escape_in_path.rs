// Requests spelling these are refused (400) before any rule is looked up, so a rule for
// them could never match.
fn main() {
    let _ = scope_runtime::scopes! {
        "GET /files/a%2Fb" => ["app:read"],
        "GET /files/a%5cb" => ["app:read"],
        "GET /files/50%25" => ["app:read"],
        "GET /files/a%00" => ["app:read"],
        "GET /files/%2e%2E" => ["app:read"],
    };
}
