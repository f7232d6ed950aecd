// Paths are matched percent-decoded: an escaped letter is the letter.
fn main() {
    let _ = scope_runtime::scopes! {
        "DELETE /users/%72oot" => ["users:admin"],
    };
}
