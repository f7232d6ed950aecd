use scope_runtime::require_scopes;

struct Agents;

impl Agents {
    #[require_scopes("app:read")]
    async fn list(&self) -> &'static str {
        "[]"
    }
}

fn main() {
    let _ = Agents.list();
}
