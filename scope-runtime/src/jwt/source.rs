//! Where the bearer token is read from: the `Authorization` header (RFC 6750 §2.1)
//! and, with the `cookie` feature, a cookie.

use http::HeaderMap;
use http::header::AUTHORIZATION;
#[cfg(feature = "cookie")]
use http::header::COOKIE;

use crate::error::AuthError;

const MALFORMED_HEADER: AuthError = AuthError::InvalidRequest("Malformed Authorization header");
const TWO_HEADERS: AuthError = AuthError::InvalidRequest("Two Authorization headers");
#[cfg(feature = "cookie")]
const MALFORMED_COOKIE: AuthError = AuthError::InvalidRequest("Malformed token cookie");
#[cfg(feature = "cookie")]
const TWO_COOKIES: AuthError = AuthError::InvalidRequest("Token cookie sent more than once");
#[cfg(feature = "cookie")]
const TWO_PLACES: AuthError =
    AuthError::InvalidRequest("Token found in both the Authorization header and a cookie");

/// Where a [`JwtVerifier`](super::JwtVerifier) looks for the token.
///
/// The cookie variants exist only with the crate feature **`cookie`**
/// (`scope-runtime = { ..., features = ["cookie"] }`).
///
/// | source | token read from | errors |
/// | --- | --- | --- |
/// | `Header` (default) | `Authorization: Bearer <token>` | see below |
/// | `Cookie(name)` | the cookie `name`; the `Authorization` header is ignored | the cookie twice → 400 |
/// | `HeaderOrCookie(name)` | the header if it holds a Bearer token, else the cookie | a token in both → 400 |
///
/// The header is parsed per RFC 6750 §2.1: scheme `Bearer` in any case, one or more
/// spaces, then a `b64token` (`A-Z a-z 0-9 - . _ ~ + /`, then optional trailing `=`),
/// nothing else. Absent → [`AuthError::MissingToken`]; another scheme (e.g. `Basic`) →
/// [`AuthError::NotBearer`]; anything malformed (empty token, inner spaces, non-ASCII
/// bytes) or two `Authorization` headers → 400 [`AuthError::InvalidRequest`].
///
/// A cookie with an empty value counts as absent (a "cleared" cookie). Its value may be
/// wrapped in double quotes (RFC 6265) and must otherwise be a `b64token`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum TokenSource {
    /// `Authorization: Bearer <token>` only (the default).
    #[default]
    Header,
    /// The named cookie only. Feature `cookie`.
    #[cfg(feature = "cookie")]
    Cookie(String),
    /// The `Authorization` header first, else the named cookie. Feature `cookie`.
    #[cfg(feature = "cookie")]
    HeaderOrCookie(String),
}

impl TokenSource {
    /// The cookie name, for the cookie variants.
    pub fn cookie_name(&self) -> Option<&str> {
        match self {
            Self::Header => None,
            #[cfg(feature = "cookie")]
            Self::Cookie(name) | Self::HeaderOrCookie(name) => Some(name),
        }
    }
}

/// What the `Authorization` header holds.
enum Authorization<'h> {
    Bearer(&'h str),
    OtherScheme,
}

/// RFC 9110 `tchar`.
pub(crate) fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// RFC 6750 `b64token`: `1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`.
fn is_b64token(token: &str) -> bool {
    let body = token.trim_end_matches('=');
    // Every byte is looked at, without stopping at the first bad one: the compiler
    // turns the loop into vector compares (every request's token goes through here; a
    // byte-by-byte loop with an early exit cost a 600-byte token about 0.3 µs).
    !body.is_empty() && body.bytes().fold(true, |ok, b| ok & is_b64token_byte(b))
}

/// A byte of a `b64token` before its trailing `=`s, as branch-free comparisons.
fn is_b64token_byte(b: u8) -> bool {
    ((b | 0x20).wrapping_sub(b'a') < 26)
        | (b.wrapping_sub(b'0') < 10)
        | (b == b'-')
        | (b == b'.')
        | (b == b'_')
        | (b == b'~')
        | (b == b'+')
        | (b == b'/')
}

/// The single `Authorization` header, parsed. `Ok(None)` when absent.
fn authorization(headers: &HeaderMap) -> Result<Option<Authorization<'_>>, AuthError> {
    let mut values = headers.get_all(AUTHORIZATION).iter();
    let Some(value) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(TWO_HEADERS);
    }
    // Only visible ASCII, space and tab are allowed anywhere (what `to_str` checks);
    // for a bearer token the `b64token` check below implies it, so the value is not
    // scanned twice.
    let value = value.as_bytes();
    // A field value has no leading or trailing whitespace (RFC 9110 §5.5).
    let blank = |b: &u8| *b == b' ' || *b == b'\t';
    let start = value.iter().position(|b| !blank(b)).unwrap_or(value.len());
    let end = value
        .iter()
        .rposition(|b| !blank(b))
        .map_or(start, |last| last + 1);
    let value = &value[start..end.max(start)];
    let (scheme, rest) = match value.iter().position(|&b| b == b' ') {
        Some(space) => (&value[..space], &value[space + 1..]),
        None => (value, &b""[..]),
    };
    if scheme.is_empty() || !scheme.iter().copied().all(is_tchar) {
        return Err(MALFORMED_HEADER);
    }
    if !scheme.eq_ignore_ascii_case(b"bearer") {
        return if rest
            .iter()
            .all(|&b| b == b'\t' || (b' '..0x7f).contains(&b))
        {
            Ok(Some(Authorization::OtherScheme))
        } else {
            Err(MALFORMED_HEADER)
        };
    }
    let start = rest.iter().position(|&b| b != b' ').unwrap_or(rest.len());
    // ASCII when it is a `b64token`, so the conversion cannot fail then.
    match std::str::from_utf8(&rest[start..]) {
        Ok(token) if is_b64token(token) => Ok(Some(Authorization::Bearer(token))),
        _ => Err(MALFORMED_HEADER),
    }
}

/// The named cookie across every `Cookie` header. `Ok(None)` when absent or empty.
#[cfg(feature = "cookie")]
fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Result<Option<&'h str>, AuthError> {
    fn trim(bytes: &[u8]) -> &[u8] {
        let start = bytes
            .iter()
            .position(|b| !matches!(b, b' ' | b'\t'))
            .unwrap_or(bytes.len());
        let end = bytes
            .iter()
            .rposition(|b| !matches!(b, b' ' | b'\t'))
            .map_or(start, |i| i + 1);
        &bytes[start..end.max(start)]
    }

    let mut found = None;
    for header in headers.get_all(COOKIE) {
        // Work on bytes: a non-ASCII byte elsewhere in the header must not hide or
        // break our cookie.
        for pair in header.as_bytes().split(|&b| b == b';') {
            let Some(eq) = pair.iter().position(|&b| b == b'=') else {
                continue;
            };
            if trim(&pair[..eq]) != name.as_bytes() {
                continue;
            }
            let mut value = trim(&pair[eq + 1..]);
            if value.len() >= 2 && value[0] == b'"' && value[value.len() - 1] == b'"' {
                value = &value[1..value.len() - 1];
            }
            if value.is_empty() {
                continue;
            }
            let token = std::str::from_utf8(value)
                .ok()
                .filter(|t| is_b64token(t))
                .ok_or(MALFORMED_COOKIE)?;
            if found.is_some() {
                return Err(TWO_COOKIES);
            }
            found = Some(token);
        }
    }
    Ok(found)
}

/// Extracts the raw token from `headers` as `source` says.
pub(crate) fn extract<'h>(
    source: &TokenSource,
    headers: &'h HeaderMap,
) -> Result<&'h str, AuthError> {
    match source {
        TokenSource::Header => match authorization(headers)? {
            Some(Authorization::Bearer(token)) => Ok(token),
            Some(Authorization::OtherScheme) => Err(AuthError::NotBearer),
            None => Err(AuthError::MissingToken),
        },
        #[cfg(feature = "cookie")]
        TokenSource::Cookie(name) => cookie(headers, name)?.ok_or(AuthError::MissingToken),
        #[cfg(feature = "cookie")]
        TokenSource::HeaderOrCookie(name) => {
            let header = authorization(headers)?;
            let cookie = cookie(headers, name)?;
            match (header, cookie) {
                (Some(Authorization::Bearer(_)), Some(_)) => Err(TWO_PLACES),
                (Some(Authorization::Bearer(token)), None) | (_, Some(token)) => Ok(token),
                (Some(Authorization::OtherScheme), None) => Err(AuthError::NotBearer),
                (None, None) => Err(AuthError::MissingToken),
            }
        }
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use http::HeaderValue;

    #[test]
    fn b64token_bytes_are_rfc_6750s() {
        let rfc = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/";
        for b in 0..=255u8 {
            assert_eq!(is_b64token_byte(b), rfc.contains(&b), "byte {b:#04x}");
        }
        assert!(is_b64token("a.b-c_d~e+f/g=="));
        assert!(!is_b64token("=="));
        assert!(!is_b64token("a=b"));
        assert!(!is_b64token("a b"));
    }

    /// Headers holding one `Authorization` field per value, in order.
    pub(in crate::jwt) fn headers(auth: &[&[u8]]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for value in auth {
            map.append(
                AUTHORIZATION,
                HeaderValue::from_bytes(value).expect("value"),
            );
        }
        map
    }

    /// Every reading of the `Authorization` header: the token of a `Bearer` (any
    /// casing, any spaces before the token, trailing spaces dropped), no token for no
    /// header or another scheme, and `invalid_request` for anything malformed or doubled.
    #[test]
    fn authorization_header_readings() {
        const MALFORMED: AuthError = AuthError::InvalidRequest("Malformed Authorization header");
        const TWO: AuthError = AuthError::InvalidRequest("Two Authorization headers");
        /// The `Authorization` values sent, and the reading expected.
        type Case = (&'static [&'static [u8]], Result<&'static str, AuthError>);
        let token = |t: &'static str| Ok::<_, AuthError>(t);
        let cases: &[Case] = &[
            (&[b"Bearer abc.def.ghi"], token("abc.def.ghi")),
            (&[b"bearer abc.def.ghi"], token("abc.def.ghi")),
            (&[b"BEARER abc.def.ghi"], token("abc.def.ghi")),
            (&[b"bEaReR    abc.def.ghi"], token("abc.def.ghi")),
            (&[b"Bearer abc.def.ghi  "], token("abc.def.ghi")),
            (&[b"Bearer a-b_c~d+e/f=="], token("a-b_c~d+e/f==")),
            (&[], Err(AuthError::MissingToken)),
            (&[b"Basic dXNlcjpwYXNz"], Err(AuthError::NotBearer)),
            (&[b"Basic"], Err(AuthError::NotBearer)),
            (&[b"Bearerx abc"], Err(AuthError::NotBearer)),
            (&[b"Bearer"], Err(MALFORMED)),
            (&[b"Bearer "], Err(MALFORMED)),
            (&[b"Bearer    "], Err(MALFORMED)),
            (&[b""], Err(MALFORMED)),
            (&[b"   "], Err(MALFORMED)),
            (&[b"Bearer abc def"], Err(MALFORMED)),
            (&[b"Bearer\tabc"], Err(MALFORMED)),
            (&[b"Bearer abc\tdef"], Err(MALFORMED)),
            (&[b"Bearer ab=c"], Err(MALFORMED)),
            (&[b"Bearer ==="], Err(MALFORMED)),
            (&[b"Bearer a,b"], Err(MALFORMED)),
            (&[b"Bearer \"abc\""], Err(MALFORMED)),
            (&[b"B(earer abc"], Err(MALFORMED)),
            (&[b"Bearer abc\xc3\xa9"], Err(MALFORMED)),
            (&[b"Bearer \xff\xfe"], Err(MALFORMED)),
            // Bytes outside visible ASCII are malformed whatever the scheme.
            (&[b"Basic dXNl\xe9"], Err(MALFORMED)),
            (&[b"\tBearer abc.def.ghi\t "], token("abc.def.ghi")),
            (&[b"Bearer a.b.c", b"Bearer a.b.c"], Err(TWO)),
            (&[b"Basic x", b"Bearer a.b.c"], Err(TWO)),
        ];
        for (values, expected) in cases {
            let map = headers(values);
            assert_eq!(&extract(&TokenSource::Header, &map), expected, "{values:?}");
        }
    }

    #[test]
    fn cookie_name_is_none_for_header() {
        assert_eq!(TokenSource::Header.cookie_name(), None);
        assert_eq!(TokenSource::default(), TokenSource::Header);
    }

    #[cfg(feature = "cookie")]
    mod cookies {
        use super::*;

        fn map(auth: Option<&str>, cookies: &[&[u8]]) -> HeaderMap {
            let mut map = HeaderMap::new();
            if let Some(auth) = auth {
                map.append(AUTHORIZATION, HeaderValue::from_str(auth).expect("auth"));
            }
            for c in cookies {
                map.append(COOKIE, HeaderValue::from_bytes(c).expect("cookie"));
            }
            map
        }

        fn cookie_only(cookies: &[&[u8]]) -> Result<String, AuthError> {
            extract(&TokenSource::Cookie("token".into()), &map(None, cookies)).map(str::to_owned)
        }

        fn both(auth: Option<&str>, cookies: &[&[u8]]) -> Result<String, AuthError> {
            extract(
                &TokenSource::HeaderOrCookie("token".into()),
                &map(auth, cookies),
            )
            .map(str::to_owned)
        }

        #[test]
        fn reads_the_named_cookie() {
            assert_eq!(cookie_only(&[b"token=a.b.c"]).as_deref(), Ok("a.b.c"));
            assert_eq!(
                cookie_only(&[b"theme=dark; token=a.b.c; lang=en"]).as_deref(),
                Ok("a.b.c")
            );
            assert_eq!(
                cookie_only(&[b"theme=dark", b"token=\"a.b.c\""]).as_deref(),
                Ok("a.b.c")
            );
            assert_eq!(
                cookie_only(&[b"xtoken=a.b.c; tokenx=d"]),
                Err(AuthError::MissingToken)
            );
            assert_eq!(cookie_only(&[]), Err(AuthError::MissingToken));
            assert_eq!(cookie_only(&[b"token="]), Err(AuthError::MissingToken));
            // Non-ASCII elsewhere does not matter.
            assert_eq!(
                cookie_only(&[b"name=\xc3\xa9; token=a.b.c"]).as_deref(),
                Ok("a.b.c")
            );
        }

        #[test]
        fn cookie_only_ignores_the_header() {
            let headers = map(Some("Bearer x.y.z"), &[b"token=a.b.c"]);
            assert_eq!(
                extract(&TokenSource::Cookie("token".into()), &headers),
                Ok("a.b.c")
            );
        }

        #[test]
        fn same_cookie_twice() {
            for cookies in [
                &[&b"token=a.b.c; token=a.b.c"[..]][..],
                &[b"token=a", b"token=b"],
            ] {
                assert_eq!(
                    cookie_only(cookies),
                    Err(AuthError::InvalidRequest(
                        "Token cookie sent more than once"
                    ))
                );
            }
        }

        #[test]
        fn malformed_cookie() {
            for cookies in [&b"token=a b"[..], b"token=\xc3\xa9", b"token=a,b"] {
                assert_eq!(
                    cookie_only(&[cookies]),
                    Err(AuthError::InvalidRequest("Malformed token cookie"))
                );
            }
        }

        #[test]
        fn header_or_cookie() {
            assert_eq!(both(Some("Bearer h.h.h"), &[]).as_deref(), Ok("h.h.h"));
            assert_eq!(both(None, &[b"token=c.c.c"]).as_deref(), Ok("c.c.c"));
            assert_eq!(
                both(Some("Basic dXNlcg=="), &[b"token=c.c.c"]).as_deref(),
                Ok("c.c.c")
            );
            assert_eq!(
                both(Some("Bearer h.h.h"), &[b"token=c.c.c"]),
                Err(AuthError::InvalidRequest(
                    "Token found in both the Authorization header and a cookie"
                ))
            );
            assert_eq!(both(Some("Basic x"), &[]), Err(AuthError::NotBearer));
            assert_eq!(both(None, &[]), Err(AuthError::MissingToken));
            assert_eq!(
                both(Some("Bearer"), &[b"token=c.c.c"]),
                Err(AuthError::InvalidRequest("Malformed Authorization header"))
            );
        }
    }
}
