// `%3A` is `:`: the two keys are one path once decoded.
fn main() {
    let _ = scope_runtime::scopes! {
        "GET /v1:batchGet" => ["a"],
        "GET /v1%3AbatchGet" => ["b"],
    };
}
