//! (e) The layer in front of a real axum router: whatever a handler or a static file
//! serves, the caller satisfied the rule for that handler (or file) with the values it
//! received; and no answer is a 5xx. The same property, router, policies and oracle as
//! `tests/tests/path_confusion_property.rs` (the lab is that test's module, included by
//! path).
//!
//! Input: byte 0 picks the policy (of the fixed ones, as written), the `Unmapped` setting
//! and where the layer sits; byte 1 the token; byte 2 the method and how the path is
//! made: the remaining bytes as they are (lossy UTF-8, a `/` put in front if missing),
//! or a plain path of the pool (or segments of its dictionary) followed by byte pairs,
//! each one mutation (doubled `/`, `%XX` escapes anywhere or in the last segment, encoded
//! slashes and backslashes, dot segments, `%25`/`%00`, emptied segments, a trailing `/`,
//! a cut).

#![no_main]

#[path = "../../tests/tests/path_lab/mod.rs"]
mod path_lab;

use std::sync::OnceLock;

use http::Method;
use libfuzzer_sys::fuzz_target;
use path_lab::{
    App, Mutation, PLAIN_PATHS, POLICIES, Placement, Probe, SEGMENTS, Setup, Token, check, join,
    send,
};
use scope_runtime::Unmapped;

const UNMAPPED: [Unmapped; 3] = [Unmapped::Deny, Unmapped::Allow, Unmapped::Authenticated];
const METHODS: [Method; 8] = [
    Method::GET,
    Method::HEAD,
    Method::POST,
    Method::DELETE,
    Method::PUT,
    Method::PATCH,
    Method::OPTIONS,
    Method::GET,
];

/// Every (policy, unmapped, placement), built once: routers are cheap to clone.
fn apps() -> &'static [(Setup, App)] {
    static APPS: OnceLock<Vec<(Setup, App)>> = OnceLock::new();
    APPS.get_or_init(|| {
        let mut out = Vec::new();
        for index in 0..POLICIES.len() {
            for unmapped in UNMAPPED {
                for placement in [Placement::RouterLayer, Placement::Wrapped] {
                    let setup = Setup::new(index, 0, unmapped, placement);
                    let app = setup.app();
                    out.push((setup, app));
                }
            }
        }
        out
    })
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("tokio runtime")
    })
}

fn token(byte: u8) -> Token {
    match byte % 12 {
        0 => Token::Missing,
        1 => Token::Garbage,
        2 => Token::Forged,
        3 => Token::Admin,
        n => Token::Scopes(n - 4),
    }
}

fn path(structured: bool, bytes: &[u8]) -> String {
    if !structured {
        let raw = String::from_utf8_lossy(bytes);
        return if raw.starts_with('/') {
            raw.into_owned()
        } else {
            format!("/{raw}")
        };
    }
    let Some((&base, mut rest)) = bytes.split_first() else {
        return "/".to_owned();
    };
    let mut path = if base & 0x80 == 0 {
        PLAIN_PATHS[usize::from(base) % PLAIN_PATHS.len()].to_owned()
    } else {
        let count = usize::from(base & 0x7f) % 6;
        let (segments, tail) = rest.split_at(count.min(rest.len()));
        rest = tail;
        let segments: Vec<&str> = segments
            .iter()
            .map(|&b| SEGMENTS[usize::from(b) % SEGMENTS.len()])
            .collect();
        join(&segments)
    };
    for pair in rest.chunks_exact(2).take(8) {
        Mutation::decode(pair[0], pair[1]).apply(&mut path);
    }
    path
}

fuzz_target!(|data: &[u8]| {
    let [selector, token_byte, method_byte, rest @ ..] = data else {
        return;
    };
    let apps = apps();
    let (setup, app) = &apps[usize::from(*selector) % apps.len()];
    let probe = Probe {
        method: METHODS[usize::from(*method_byte) % METHODS.len()].clone(),
        path: path(method_byte & 0x80 != 0, rest),
        token: token(*token_byte),
    };
    let Some(outcome) = runtime().block_on(send(app, &probe)) else {
        return; // not a URI `http` accepts: no server would pass it on
    };
    if let Err(violation) = check(setup, &probe, &outcome) {
        panic!("path confusion: {violation}");
    }
});
