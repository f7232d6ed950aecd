use scope_runtime::require_scopes;

#[require_scopes("app read", "", "app:run", "app:run")]
fn run() {}

fn main() {
    run();
}
