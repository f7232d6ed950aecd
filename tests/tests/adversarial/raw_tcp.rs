//! Requests written by hand on a TCP socket to `axum::serve`, for what `http::Uri`
//! refuses to build and header bytes a client can still send: hyper refuses the
//! unparseable before any service runs, and everything else meets the layer.

use scope_policy_tests::mirror::seed_mirror;
use scope_policy_tests::raw_http::{RawReply, auth_line, raw_http, raw_request};
use scope_policy_tests::refusal::Refusal;
use scope_policy_tests::seed::{AgentOs, BASIC, POWER, RUN_SCOPES};
use scope_policy_tests::server::serve;
use scope_policy_tests::tokens::mint;
use scope_runtime::PathClass;

/// What `http::Uri` refuses to build, and header bytes a client can still send: written
/// by hand on a TCP socket to `axum::serve`. hyper refuses the unparseable with 400 (or
/// 431 for oversized heads) before any service runs; everything else meets the layer.
#[tokio::test]
async fn raw_tcp_requests() {
    let os = AgentOs::new();
    let served = serve(os.router.clone()).await;
    let (mirror, hits) = seed_mirror();
    let served_mirror = serve(mirror).await;
    let basic = mint(BASIC);
    let power = mint(POWER);
    let unmapped = Refusal::unmapped();
    let run_scopes = Refusal::forbidden(RUN_SCOPES);
    let admin_scope = Refusal::forbidden(&["app:admin"]);
    let malformed = Refusal::invalid_request("Malformed Authorization header");

    let power_line = auth_line(&power);
    let basic_line = auth_line(&basic);
    let run_body_headers: [&[u8]; 3] = [
        &power_line,
        b"Content-Type: application/x-www-form-urlencoded",
        b"Content-Length: 10",
    ];
    let post_run = |target: &[u8], headers: &[&[u8]]| {
        let mut req = raw_request(b"POST", target, headers);
        req.extend_from_slice(b"message=hi");
        req
    };

    // (request bytes, check)
    type Check = Box<dyn Fn(&RawReply)>;
    let rejected =
        |status: u16| -> Check { Box::new(move |r: &RawReply| r.rejected_by_hyper(status)) };
    let refused = |expected: &Refusal| -> Check {
        let expected = expected.clone();
        Box::new(move |r: &RawReply| r.refused(&expected))
    };
    let big_header = [b"Authorization: Bearer ".as_slice(), &vec![b'a'; 1 << 20]].concat();
    let many_headers: Vec<Vec<u8>> = (0..200)
        .map(|i| format!("X-H{i}: v").into_bytes())
        .collect();
    let many_refs: Vec<&[u8]> = many_headers.iter().map(Vec::as_slice).collect();
    // Raw bytes in the request target: hyper refuses them.
    let raw_in_run_path: [(&str, &[u8]); 2] = [
        ("NUL in path", b"/agents/research-agent\0/runs"),
        ("CR in path", b"/agents/research-agent\r/runs"),
    ];
    let raw_in_read_path: [(&str, &[u8]); 5] = [
        ("LF in path", b"/sessions\n/x"),
        ("space in path", b"/sessions /x"),
        ("tab in path", b"/sessions\t/x"),
        ("non-ASCII in path", b"/sessions\xff"),
        ("DEL in path", b"/sessions\x7f"),
    ];
    // Other request targets that name `/sessions`: a basic user meets its rule.
    let sessions_targets: [(&str, &[u8]); 4] = [
        // Request-target forms other than origin-form.
        ("absolute form", b"http://127.0.0.1/sessions"),
        (
            "absolute form, other host",
            b"http://admin.internal/sessions",
        ),
        // What follows `#` or `?` is no part of the path.
        ("fragment", b"/sessions#/../agents"),
        ("query only", b"/sessions?/../agents"),
    ];
    let mut cases: Vec<(&str, Vec<u8>, Check)> = Vec::new();
    for (label, target) in raw_in_run_path {
        cases.push((label, post_run(target, &run_body_headers), rejected(400)));
    }
    for (label, target) in raw_in_read_path {
        let request = raw_request(b"GET", target, &[&basic_line]);
        cases.push((label, request, rejected(400)));
    }
    for (label, target) in sessions_targets {
        let request = raw_request(b"GET", target, &[&basic_line]);
        cases.push((label, request, refused(&admin_scope)));
    }
    cases.extend([
        // http accepts UTF-8 (not other bytes above 0x7F): raw bytes, no rule.
        (
            "UTF-8 in path",
            post_run(
                "/agents/research-agent/r\u{fc}ns".as_bytes(),
                &run_body_headers,
            ),
            refused(&unmapped),
        ),
        (
            "asterisk form",
            raw_request(b"OPTIONS", b"*", &[&basic_line]),
            refused(&unmapped),
        ),
        (
            "asterisk form, anonymous",
            raw_request(b"OPTIONS", b"*", &[]),
            refused(&Refusal::missing()),
        ),
        (
            "absolute form, run",
            post_run(
                b"http://127.0.0.1/agents/research-agent/runs",
                &[
                    &basic_line,
                    b"Content-Type: application/x-www-form-urlencoded",
                    b"Content-Length: 10",
                ],
            ),
            refused(&run_scopes),
        ),
        (
            "authority form",
            raw_request(b"CONNECT", b"127.0.0.1:1", &[&power_line]),
            refused(&unmapped),
        ),
        (
            "backslashes",
            raw_request(b"GET", b"/agents\\..\\sessions", &[&basic_line]),
            refused(&Refusal::bad_path(PathClass::Backslash)),
        ),
        (
            "lower-case method",
            post_run(b"/agents/research-agent/runs", &run_body_headers)
                .iter()
                .enumerate()
                .map(|(i, &b)| if i < 4 { b.to_ascii_lowercase() } else { b })
                .collect(),
            refused(&unmapped),
        ),
        // Header bytes.
        (
            "obs-text in Authorization",
            raw_request(b"GET", b"/agents", &[b"Authorization: Bearer \xff\xfe"]),
            refused(&malformed),
        ),
        (
            "two Authorization lines",
            raw_request(b"GET", b"/agents", &[&power_line, &basic_line]),
            refused(&Refusal::invalid_request("Two Authorization headers")),
        ),
        (
            "obs-fold",
            raw_request(
                b"GET",
                b"/sessions",
                &[b"Authorization: Bearer", format!(" {basic}").as_bytes()],
            ),
            rejected(400),
        ),
        (
            "NUL in a header",
            raw_request(
                b"GET",
                b"/agents",
                &[[
                    b"Authorization: Bearer ".as_slice(),
                    basic.as_bytes(),
                    b"\0",
                ]
                .concat()
                .as_slice()],
            ),
            rejected(400),
        ),
        (
            "space before colon",
            raw_request(
                b"GET",
                b"/agents",
                &[format!("Authorization : Bearer {basic}").as_bytes()],
            ),
            rejected(400),
        ),
        (
            "1 MiB header",
            raw_request(b"GET", b"/agents", &[&big_header]),
            rejected(431),
        ),
        (
            "200 headers",
            raw_request(b"GET", b"/agents", &many_refs),
            rejected(431),
        ),
        (
            "HTTP/1.0",
            b"GET /sessions HTTP/1.0\r\n"
                .iter()
                .copied()
                .chain(basic_line.iter().copied())
                .chain(*b"\r\n\r\n")
                .collect(),
            refused(&admin_scope),
        ),
    ]);
    for target in [served.addr, served_mirror.addr] {
        for (label, bytes, check) in &cases {
            let reply = raw_http(target, bytes).await;
            eprintln!(
                "{label}: {:?} {:?}",
                reply.status,
                reply.header("www-authenticate")
            );
            check(&reply);
        }
    }
    assert_eq!(hits.get(), 0, "a handler of the mirror was reached");
    assert_eq!(os.state().await, (0, 0));

    // Controls over the same sockets: lower-case header names and no space after the
    // colon are fine HTTP; the run goes through once.
    let reply = raw_http(
        served.addr,
        &post_run(
            b"/agents/research-agent/runs",
            &[
                format!("authorization:bearer {power}").as_bytes(),
                b"content-type: application/x-www-form-urlencoded",
                b"content-length: 10",
            ],
        ),
    )
    .await;
    assert_eq!(reply.status, Some(200), "{reply:?}");
    assert_eq!(os.state().await, (1, 1));
}
