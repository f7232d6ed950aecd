//! (a) Request headers → token → verification: `JwtVerifier::verify_headers` on
//! arbitrary header bytes, and on structured tokens whose every part the fuzzer picks.
//!
//! Three inputs shapes (`Input`):
//! - `Raw`: arbitrary `Authorization` / `Cookie` / other header values (bytes);
//! - `RawToken`: `Authorization: Bearer <bytes>`;
//! - `Token`: a JWS built from a fuzzer-chosen header (`alg` in any casing, `kid`,
//!   `crit`, extra members) and claim set (any claim, any JSON type, duplicates, numbers
//!   relative to now), signed with the right secret, the RSA public key PEM used as an
//!   HMAC secret (key confusion), a wrong secret, or garbage, then placed in the header,
//!   a cookie, both, or two headers.
//!
//! Besides "never panics", every `Ok` is checked against what the verifier promises:
//! the token was signed with the configured secret under the pinned algorithm (the
//! header's `alg` is exactly that name), `exp` is a number not in the past (beyond the
//! leeway), `nbf` not in the future, `iss`/`aud` as configured, the registered claims
//! of the right JSON types, the `kid` one the key accepts, and the scopes are those the
//! documented rules give.

#![no_main]

use std::sync::OnceLock;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use http::header::{AUTHORIZATION, COOKIE};
use http::{HeaderMap, HeaderName, HeaderValue};
use jsonwebtoken::{Algorithm, EncodingKey};
use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use scope_runtime::{JwtVerifier, TokenSource, VerificationKey};
use serde_json::{Map, Value};

const SECRET: &[u8] = b"fuzz-secret-0123456789-0123456789-0123456789";
const WRONG_SECRET: &[u8] = b"not-the-secret-0123456789-0123456789-012345";
const RSA_PUBLIC: &str = include_str!("rsa_public.pem");
const LEEWAY: i64 = 30;

#[derive(Arbitrary, Debug)]
enum Input {
    Raw(Vec<(u8, Vec<u8>)>),
    RawToken(Vec<u8>),
    Token(Box<TokenInput>),
}

#[derive(Arbitrary, Debug)]
struct TokenInput {
    alg: Alg,
    kid: Option<Scalar>,
    typ: bool,
    crit: bool,
    header_extra: Vec<(String, Scalar)>,
    /// Starts the claims with `"iss":"iss-1","aud":"api","exp":now+3600` (what the
    /// strict verifier needs), so the fuzzer's own claims (duplicates included) meet a
    /// claim set that would otherwise verify.
    preset: bool,
    claims: Vec<(Claim, Json)>,
    signing: Signing,
    placement: Placement,
}

#[derive(Arbitrary, Debug)]
enum Alg {
    Hs256,
    Hs384,
    Hs512,
    Rs256,
    None,
    NoneCased(u8),
    Lower,
    Missing,
    NotAString(Scalar),
    Twice(Box<Alg>),
    Other(String),
}

#[derive(Arbitrary, Debug)]
enum Claim {
    Exp,
    Nbf,
    Iat,
    Iss,
    Aud,
    Sub,
    Jti,
    Scopes,
    Scope,
    Scp,
    Perm,
    Other(String),
}

#[derive(Arbitrary, Debug, Clone)]
enum Scalar {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    NowPlus(i32),
    HugeNumber,
    Str(String),
    Known(u8),
}

#[derive(Arbitrary, Debug)]
enum Json {
    Scalar(Scalar),
    Array(Vec<Scalar>),
    Object(Vec<(String, Scalar)>),
}

#[derive(Arbitrary, Debug)]
enum Signing {
    /// HMAC with the right secret, under the algorithm the header names if it is an
    /// HMAC one (else HS256).
    Secret,
    /// HMAC keyed with the RSA public key's PEM text (HS/RS key confusion).
    PemAsSecret,
    WrongSecret,
    Empty,
    Garbage(Vec<u8>),
    /// Right secret, then one byte of the token flipped.
    Tampered(u16, u8),
}

#[derive(Arbitrary, Debug)]
enum Placement {
    Bearer,
    Scheme(u8),
    Cookie,
    Both,
    TwoHeaders,
    Suffix(Vec<u8>),
}

const KNOWN: [&str; 12] = [
    "",
    "k1",
    "k2",
    "HS256",
    "iss-1",
    "api",
    "app:read",
    "app:read app:run",
    "none",
    "../../../../dev/null",
    "k1\u{0}",
    "K1",
];

fn scalar(s: &Scalar, now: i64, out: &mut String) {
    match s {
        Scalar::Null => out.push_str("null"),
        Scalar::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Scalar::Int(i) => out.push_str(&i.to_string()),
        Scalar::Float(f) if f.is_finite() => out.push_str(&format!("{f:?}")),
        Scalar::Float(_) | Scalar::HugeNumber => out.push_str("1e999"),
        Scalar::NowPlus(d) => out.push_str(&(now + i64::from(*d)).to_string()),
        Scalar::Str(s) => out.push_str(&serde_json::to_string(s).expect("string")),
        Scalar::Known(i) => {
            let s = KNOWN[usize::from(*i) % KNOWN.len()];
            out.push_str(&serde_json::to_string(s).expect("string"));
        }
    }
}

fn json(j: &Json, now: i64, out: &mut String) {
    match j {
        Json::Scalar(s) => scalar(s, now, out),
        Json::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                scalar(item, now, out);
            }
            out.push(']');
        }
        Json::Object(members) => {
            out.push('{');
            for (i, (k, v)) in members.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&serde_json::to_string(k).expect("key"));
                out.push(':');
                scalar(v, now, out);
            }
            out.push('}');
        }
    }
}

fn member(out: &mut String, name: &str) {
    if out.len() > 1 {
        out.push(',');
    }
    out.push_str(&serde_json::to_string(name).expect("name"));
    out.push(':');
}

fn alg_members(alg: &Alg, now: i64, out: &mut String) {
    let name = match alg {
        Alg::Hs256 => "HS256",
        Alg::Hs384 => "HS384",
        Alg::Hs512 => "HS512",
        Alg::Rs256 => "RS256",
        Alg::None => "none",
        Alg::NoneCased(m) => {
            ["None", "NONE", "nOnE", "NoNe", "none ", " none"][usize::from(*m) % 6]
        }
        Alg::Lower => "hs256",
        Alg::Missing => return,
        Alg::NotAString(s) => {
            member(out, "alg");
            scalar(s, now, out);
            return;
        }
        Alg::Twice(inner) => {
            alg_members(inner, now, out);
            "HS256"
        }
        Alg::Other(s) => {
            member(out, "alg");
            out.push_str(&serde_json::to_string(s).expect("alg"));
            return;
        }
    };
    member(out, "alg");
    out.push_str(&serde_json::to_string(name).expect("alg"));
}

fn claim_name(c: &Claim) -> &str {
    match c {
        Claim::Exp => "exp",
        Claim::Nbf => "nbf",
        Claim::Iat => "iat",
        Claim::Iss => "iss",
        Claim::Aud => "aud",
        Claim::Sub => "sub",
        Claim::Jti => "jti",
        Claim::Scopes => "scopes",
        Claim::Scope => "scope",
        Claim::Scp => "scp",
        Claim::Perm => "perm",
        Claim::Other(s) => s,
    }
}

/// The token text and whether it carries a genuine signature by `SECRET` (and with
/// which HMAC algorithm).
fn build_token(input: &TokenInput, now: i64) -> (String, Option<Algorithm>) {
    let mut header = String::from("{");
    alg_members(&input.alg, now, &mut header);
    if input.typ {
        member(&mut header, "typ");
        header.push_str("\"JWT\"");
    }
    if let Some(kid) = &input.kid {
        member(&mut header, "kid");
        scalar(kid, now, &mut header);
    }
    if input.crit {
        member(&mut header, "crit");
        header.push_str("[\"exp\"]");
    }
    for (k, v) in input.header_extra.iter().take(4) {
        member(&mut header, k);
        scalar(v, now, &mut header);
    }
    header.push('}');

    let mut payload = String::from("{");
    if input.preset {
        payload.push_str(&format!(
            r#""iss":"iss-1","aud":"api","exp":{}"#,
            now + 3600
        ));
    }
    for (c, v) in input.claims.iter().take(12) {
        member(&mut payload, claim_name(c));
        json(v, now, &mut payload);
    }
    payload.push('}');

    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.as_bytes()),
        URL_SAFE_NO_PAD.encode(payload.as_bytes())
    );
    let hmac_alg = match input.alg {
        Alg::Hs384 => Algorithm::HS384,
        Alg::Hs512 => Algorithm::HS512,
        _ => Algorithm::HS256,
    };
    let sign = |key: &[u8]| {
        jsonwebtoken::crypto::sign(
            signing_input.as_bytes(),
            &EncodingKey::from_secret(key),
            hmac_alg,
        )
        .expect("HMAC signing")
    };
    match &input.signing {
        Signing::Secret => (format!("{signing_input}.{}", sign(SECRET)), Some(hmac_alg)),
        Signing::PemAsSecret => (
            format!("{signing_input}.{}", sign(RSA_PUBLIC.as_bytes())),
            None,
        ),
        Signing::WrongSecret => (format!("{signing_input}.{}", sign(WRONG_SECRET)), None),
        Signing::Empty => (format!("{signing_input}."), None),
        Signing::Garbage(bytes) => (
            format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(bytes)),
            None,
        ),
        Signing::Tampered(at, with) => {
            let mut token = format!("{signing_input}.{}", sign(SECRET)).into_bytes();
            let at = usize::from(*at) % token.len();
            let replacement = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."
                [usize::from(*with) % 65];
            let changed = token[at] != replacement;
            token[at] = replacement;
            let token = String::from_utf8(token).expect("ASCII");
            // Changing only the unused low bits of the last base64 character could keep
            // the decoded bytes: such a token is not counted as genuine or forged.
            (token, if changed { None } else { Some(hmac_alg) })
        }
    }
}

fn place(token: &str, placement: &Placement, headers: &mut HeaderMap) {
    let bearer = |scheme: &str| HeaderValue::from_str(&format!("{scheme} {token}"));
    match placement {
        Placement::Bearer => {
            if let Ok(v) = bearer("Bearer") {
                headers.append(AUTHORIZATION, v);
            }
        }
        Placement::Scheme(i) => {
            let scheme = [
                "bearer", "BEARER", "Bearer ", "Basic", "Bearer\t", "Bearerx",
            ][usize::from(*i) % 6];
            if let Ok(v) = bearer(scheme) {
                headers.append(AUTHORIZATION, v);
            }
        }
        Placement::Cookie => {
            if let Ok(v) = HeaderValue::from_str(&format!("theme=dark; token={token}")) {
                headers.append(COOKIE, v);
            }
        }
        Placement::Both => {
            place(token, &Placement::Bearer, headers);
            place(token, &Placement::Cookie, headers);
        }
        Placement::TwoHeaders => {
            place(token, &Placement::Bearer, headers);
            place(token, &Placement::Bearer, headers);
        }
        Placement::Suffix(bytes) => {
            let mut value = b"Bearer ".to_vec();
            value.extend_from_slice(token.as_bytes());
            value.extend_from_slice(bytes);
            if let Ok(v) = HeaderValue::from_bytes(&value) {
                headers.append(AUTHORIZATION, v);
            }
        }
    }
}

struct Verifiers {
    /// HS256, default settings, header or cookie.
    plain: JwtVerifier,
    /// HS256 (`kid` k1) + RS256 (`kid` k2), issuer and audience required.
    strict: JwtVerifier,
    /// HS512 only, `exp` optional, scopes from `perm`, cookie only.
    relaxed: JwtVerifier,
}

fn verifiers() -> &'static Verifiers {
    static V: OnceLock<Verifiers> = OnceLock::new();
    V.get_or_init(|| Verifiers {
        plain: JwtVerifier::builder()
            .key(VerificationKey::hs256(SECRET))
            .token_source(TokenSource::HeaderOrCookie("token".into()))
            .build()
            .expect("plain"),
        strict: JwtVerifier::builder()
            .key(VerificationKey::hs256(SECRET).map(|k| k.with_kid("k1")))
            .key(VerificationKey::rsa_pem(scope_runtime::Algorithm::RS256, RSA_PUBLIC).map(|k| k.with_kid("k2")))
            .issuer("iss-1")
            .audience("api")
            .build()
            .expect("strict"),
        relaxed: JwtVerifier::builder()
            .key(VerificationKey::hmac(scope_runtime::Algorithm::HS512, SECRET))
            .require_exp(false)
            .scopes_claim("perm")
            .token_source(TokenSource::Cookie("token".into()))
            .build()
            .expect("relaxed"),
    })
}

fn header_json(token: &str) -> Map<String, Value> {
    let b64 = token.split('.').next().expect("a part");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(b64).expect("header b64")).expect("header")
}

/// The scopes the documented rules give for `claims`, written independently of the
/// crate's parser: the configured claim or the first of `scopes`/`scope`/`scp` present;
/// a space-separated string, or an array of strings only (anything else grants nothing);
/// empty items dropped.
fn expected_scopes(claims: &Map<String, Value>, configured: Option<&str>) -> Vec<String> {
    let names: &[&str] = match configured {
        Some(name) => &[name][..],
        None => &["scopes", "scope", "scp"],
    };
    let Some(value) = names.iter().find_map(|name| claims.get(*name)) else {
        return Vec::new();
    };
    let items: Vec<&str> = match value {
        Value::String(s) => s.split(' ').collect(),
        Value::Array(items) => match items.iter().map(Value::as_str).collect() {
            Some(all_strings) => all_strings,
            None => return Vec::new(),
        },
        _ => return Vec::new(),
    };
    items.into_iter().filter(|item| !item.is_empty()).map(String::from).collect()
}

fn check_ok(
    which: &str,
    claims: &scope_runtime::VerifiedClaims,
    token: Option<(&str, Option<Algorithm>)>,
    now: i64,
) {
    let Some((token, genuine)) = token else {
        panic!("{which}: raw bytes verified");
    };
    let pinned = if which == "relaxed" {
        Algorithm::HS512
    } else {
        Algorithm::HS256
    };
    assert_eq!(
        genuine,
        Some(pinned),
        "{which}: accepted a token not signed by the secret under the pinned algorithm: {token}"
    );
    let header = header_json(token);
    let alg_name = if pinned == Algorithm::HS512 {
        "HS512"
    } else {
        "HS256"
    };
    assert_eq!(
        header.get("alg").and_then(Value::as_str),
        Some(alg_name),
        "{which}: {token}"
    );
    let map = claims.claims();
    let number = |name: &str| {
        map.get(name).map(|v| {
            v.as_f64()
                .unwrap_or_else(|| panic!("{which}: `{name}` is not a number: {v}"))
        })
    };
    let now = now as f64;
    match number("exp") {
        Some(exp) => assert!(
            exp >= now - (LEEWAY as f64) - 2.0,
            "{which}: expired exp {exp} accepted: {token}"
        ),
        None => assert_eq!(which, "relaxed", "{which}: no exp accepted: {token}"),
    }
    if let Some(nbf) = number("nbf") {
        assert!(
            nbf <= now + (LEEWAY as f64) + 2.0,
            "{which}: future nbf {nbf} accepted: {token}"
        );
    }
    let _ = number("iat");
    for name in ["iss", "sub", "jti"] {
        if let Some(v) = map.get(name) {
            assert!(v.is_string(), "{which}: `{name}` = {v} accepted: {token}");
        }
    }
    match which {
        "strict" => {
            assert_eq!(
                map.get("iss").and_then(Value::as_str),
                Some("iss-1"),
                "{token}"
            );
            let aud_ok = match map.get("aud") {
                Some(Value::String(a)) => a == "api",
                Some(Value::Array(items)) => items.iter().any(|a| a == "api"),
                _ => false,
            };
            assert!(aud_ok, "strict: aud {:?} accepted: {token}", map.get("aud"));
            match header.get("kid") {
                None | Some(Value::Null) => {}
                Some(Value::String(k)) => assert_eq!(k, "k1", "{token}"),
                Some(other) => panic!("strict: kid {other} accepted: {token}"),
            }
        }
        _ => assert!(
            map.get("aud").is_none(),
            "{which}: aud accepted without a configured audience: {token}"
        ),
    }
    assert!(
        header.get("crit").is_none(),
        "{which}: crit accepted: {token}"
    );
    let configured = if which == "relaxed" {
        Some("perm")
    } else {
        None
    };
    assert_eq!(
        claims.scopes(),
        expected_scopes(map, configured).as_slice(),
        "{which}: {token}"
    );
}

fuzz_target!(|input: Input| {
    let now = jsonwebtoken::get_current_timestamp() as i64;
    let v = verifiers();
    let mut headers = HeaderMap::new();
    let mut built = None;
    match &input {
        Input::Raw(pairs) => {
            for (name, value) in pairs.iter().take(8) {
                let name = match name % 4 {
                    0 => AUTHORIZATION,
                    1 => COOKIE,
                    2 => HeaderName::from_static("x-token"),
                    _ => continue,
                };
                if let Ok(value) = HeaderValue::from_bytes(value) {
                    headers.append(name, value);
                }
            }
        }
        Input::RawToken(bytes) => {
            let mut value = b"Bearer ".to_vec();
            value.extend_from_slice(bytes);
            if let Ok(value) = HeaderValue::from_bytes(&value) {
                headers.append(AUTHORIZATION, value);
            }
        }
        Input::Token(t) => {
            let (token, genuine) = build_token(t, now);
            place(&token, &t.placement, &mut headers);
            built = Some((token, genuine));
        }
    }
    let token = built.as_ref().map(|(t, g)| (t.as_str(), *g));
    for (which, verifier) in [
        ("plain", &v.plain),
        ("strict", &v.strict),
        ("relaxed", &v.relaxed),
    ] {
        match verifier.verify_headers(&headers) {
            Ok(claims) => {
                if std::env::var_os("SCOPE_FUZZ_TRACE_OK").is_some() {
                    eprintln!("accepted by {which}: {:?}", token.map(|(t, _)| t));
                }
                check_ok(which, &claims, token, now);
            }
            Err(error) => {
                // Every refusal renders a valid response.
                let _ = error.to_response(Some("fuzz"));
            }
        }
    }
});
