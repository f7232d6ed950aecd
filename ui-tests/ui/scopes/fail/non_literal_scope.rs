const APP_READ: &str = "app:read";

fn main() {
    let _ = APP_READ;
    let _ = scope_runtime::scopes! {
        "GET /agents" => [APP_READ, "app:write".to_string()],
    };
}
