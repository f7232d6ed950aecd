use scope_runtime::require_scopes;

#[require_scopes("app:read")]
struct Agents;

fn main() {
    let _ = Agents;
}
