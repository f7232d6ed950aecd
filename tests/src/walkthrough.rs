//! The README's walkthrough tables, read as data, so that an end-to-end test checks
//! that what it replays is what the page says: each row's command, its status, and the
//! backticked fragments of its last cell (the challenge, the JSON body) against the
//! reply the test got.

use serde_json::Value;

use crate::reply::Reply;

/// The README, as the tests were built with it.
pub const README: &str = include_str!("../../README.md");

/// One row of a walkthrough table: `| # | command | status | WWW-Authenticate / body |`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// The row's number as written (`1`, `12b`).
    pub number: String,
    /// The command cell as written.
    pub command: String,
    /// The status cell as written.
    pub status: String,
    /// The last cell as written.
    pub answer: String,
}

/// The rows of the first table after the heading line `heading` (e.g.
/// `### The per-resource walkthrough`).
///
/// # Panics
///
/// When the README has no such heading, or no table of four cells a row after it.
pub fn table(heading: &str) -> Vec<Row> {
    let start = README
        .lines()
        .position(|line| line == heading)
        .unwrap_or_else(|| panic!("README.md has no heading {heading:?}"));
    let rows: Vec<Row> = README
        .lines()
        .skip(start + 1)
        .skip_while(|line| !line.starts_with('|'))
        .take_while(|line| line.starts_with('|'))
        // The header and its separator.
        .skip(2)
        .map(|line| {
            let inner = line
                .strip_prefix("| ")
                .and_then(|l| l.strip_suffix(" |"))
                .unwrap_or_else(|| panic!("not a table row: {line:?}"));
            let cells: Vec<&str> = inner.split(" | ").collect();
            let [number, command, status, answer] = cells[..] else {
                panic!("not a row of four cells: {line:?}");
            };
            Row {
                number: number.to_owned(),
                command: command.to_owned(),
                status: status.to_owned(),
                answer: answer.to_owned(),
            }
        })
        .collect();
    assert!(!rows.is_empty(), "no table after {heading:?}");
    rows
}

impl Row {
    /// The first backticked fragment of the command cell: the curl line.
    pub fn curl(&self) -> &str {
        fragments(&self.command)
            .next()
            .unwrap_or_else(|| panic!("row {}: no command in backticks", self.number))
    }

    /// Checks `reply` against this row: the status; the challenge, which is the
    /// fragment of the last cell starting with `Bearer` when there is one, and absent
    /// otherwise; and the body, against each fragment that is JSON (see
    /// [`json_matches`]). Fragments of another kind are prose, not checked.
    #[track_caller]
    pub fn check(&self, reply: &Reply) {
        let n = &self.number;
        assert_eq!(self.status, reply.status.as_str(), "row {n}: {reply:?}");
        let challenge = fragments(&self.answer).find(|f| f.starts_with("Bearer"));
        assert_eq!(reply.challenge(), challenge, "row {n}: {reply:?}");
        for pattern in fragments(&self.answer).filter(|f| f.starts_with(['{', '['])) {
            assert!(
                json_matches(pattern, &reply.json()),
                "row {n}: the body is not {pattern}: {reply:?}"
            );
        }
    }
}

/// The texts between pairs of backticks.
fn fragments(cell: &str) -> impl Iterator<Item = &str> {
    cell.split('`').skip(1).step_by(2)
}

/// Whether `actual` is the JSON `pattern`. A pattern holding `,...` abbreviates its
/// objects: each object of `actual` then needs the fields the pattern lists, with those
/// values, and may have more. Arrays always have the pattern's length.
///
/// # Panics
///
/// When `pattern`, without its `,...`, is not JSON.
pub fn json_matches(pattern: &str, actual: &Value) -> bool {
    let open = pattern.contains(",...");
    let pattern: Value = serde_json::from_str(&pattern.replace(",...", ""))
        .unwrap_or_else(|e| panic!("not JSON: {pattern}: {e}"));
    matches(&pattern, actual, open)
}

fn matches(pattern: &Value, actual: &Value, open: bool) -> bool {
    match (pattern, actual) {
        (Value::Object(pattern), Value::Object(actual)) => {
            (open || pattern.len() == actual.len())
                && pattern
                    .iter()
                    .all(|(k, v)| actual.get(k).is_some_and(|a| matches(v, a, open)))
        }
        (Value::Array(pattern), Value::Array(actual)) => {
            pattern.len() == actual.len()
                && pattern.iter().zip(actual).all(|(p, a)| matches(p, a, open))
        }
        _ => pattern == actual,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn abbreviated_objects_match_on_the_listed_fields() {
        let agents = json!([{ "id": "a", "name": "A", "model": "echo" }]);
        assert!(json_matches(r#"[{"id":"a",...}]"#, &agents));
        assert!(!json_matches(r#"[{"id":"b",...}]"#, &agents));
        assert!(
            !json_matches(r#"[{"id":"a"}]"#, &agents),
            "closed: every field"
        );
        assert!(!json_matches(r#"[{"id":"a",...},{"id":"b",...}]"#, &agents));
        assert!(json_matches(
            r#"{"status":"ok"}"#,
            &json!({ "status": "ok" })
        ));
    }

    #[test]
    fn fragments_are_the_backticked_texts() {
        let cell = "`Bearer`; `{\"detail\":\"x\"}` and prose";
        assert_eq!(
            fragments(cell).collect::<Vec<_>>(),
            ["Bearer", "{\"detail\":\"x\"}"]
        );
    }
}
