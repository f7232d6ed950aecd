//! The strict JSON and base64url readers of the JOSE header and the claims.

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::fmt;

#[cfg(test)]
use serde_json::{Map, Value};

/// A JSON object whose members are all distinct, as a `Value` map: a duplicate member
/// (two `exp`, two `alg`) makes the token malformed instead of letting the last one
/// win. The plain reading that the verifier's own readings ([`jose_header`],
/// [`read_payload`]) are tested against.
#[cfg(test)]
pub(super) fn strict_object(json: &[u8]) -> Option<Map<String, Value>> {
    struct Unique(Map<String, Value>);
    impl<'de> serde::Deserialize<'de> for Unique {
        fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            struct Members;
            impl<'de> serde::de::Visitor<'de> for Members {
                type Value = Unique;
                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str("a JSON object")
                }
                fn visit_map<A: serde::de::MapAccess<'de>>(
                    self,
                    mut access: A,
                ) -> Result<Unique, A::Error> {
                    let mut map = Map::new();
                    while let Some((key, value)) = access.next_entry::<String, Value>()? {
                        // One search per member, not two.
                        match map.entry(key) {
                            serde_json::map::Entry::Vacant(entry) => {
                                entry.insert(value);
                            }
                            serde_json::map::Entry::Occupied(_) => {
                                return Err(serde::de::Error::custom("duplicate member"));
                            }
                        }
                    }
                    Ok(Unique(map))
                }
            }
            deserializer.deserialize_map(Members)
        }
    }
    serde_json::from_slice::<Unique>(json).ok().map(|u| u.0)
}

/// Strict base64url without padding (RFC 7515 §2): non-canonical trailing bits and
/// padding are refused, as jsonwebtoken refuses them.
pub(crate) fn b64_decode(input: &str) -> Option<Vec<u8>> {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(input)
        .ok()
}

/// The members of a JOSE header the verifier reads, borrowed from the decoded header
/// where they need no unescaping, so that reading a header allocates (almost) nothing.
/// As with [`strict_object`], every member must be distinct and the whole text one
/// JSON object, nested at most 128 deep; the members not named here are read for their
/// syntax and ignored ([`Skip`]).
pub(super) struct JoseHeader<'a> {
    pub(super) alg: Member<'a>,
    pub(super) kid: Member<'a>,
    pub(super) typ: Member<'a>,
    /// Whether a `crit` member is present (whatever its value).
    pub(super) crit: bool,
}

/// A header or claim member's value, as far as the verifier cares.
#[derive(Debug, PartialEq)]
pub(super) enum Member<'a> {
    Absent,
    Null,
    Text(Cow<'a, str>),
    Number(f64),
    /// A boolean, array or object.
    Other,
}

impl Member<'_> {
    /// The text, when the member is a string.
    pub(super) fn text(&self) -> Option<&str> {
        match self {
            Member::Text(text) => Some(text),
            _ => None,
        }
    }

    /// The number, when the member is one (as `f64`, like `Value::as_f64`).
    pub(super) fn number(&self) -> Option<f64> {
        match self {
            Member::Number(number) => Some(*number),
            _ => None,
        }
    }
}

/// Reads a decoded JOSE header; `None` when it is not one JSON object with distinct
/// members.
pub(super) fn jose_header(json: &[u8]) -> Option<JoseHeader<'_>> {
    serde_json::from_slice(json).ok()
}

impl<'de> serde::Deserialize<'de> for JoseHeader<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Members;
        impl<'de> serde::de::Visitor<'de> for Members {
            type Value = JoseHeader<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut access: A,
            ) -> Result<JoseHeader<'de>, A::Error> {
                let mut header = JoseHeader {
                    alg: Member::Absent,
                    kid: Member::Absent,
                    typ: Member::Absent,
                    crit: false,
                };
                let mut seen = SeenKeys::default();
                while let Some(Key(key)) = access.next_key::<Key<'de>>()? {
                    let slot = match &*key {
                        "alg" => Some(&mut header.alg),
                        "kid" => Some(&mut header.kid),
                        "typ" => Some(&mut header.typ),
                        _ => None,
                    };
                    match slot {
                        Some(slot) => *slot = access.next_value()?,
                        None => {
                            header.crit |= key == "crit";
                            access.next_value::<Skip>()?;
                        }
                    }
                    if !seen.insert(key) {
                        return Err(serde::de::Error::custom("duplicate member"));
                    }
                }
                Ok(header)
            }
        }
        deserializer.deserialize_map(Members)
    }
}

/// The member names of one object so far, to refuse a duplicate: the first 16 in a
/// list (a linear search is quicker than any tree at that size, and headers and
/// claims have fewer), the rest in a set, so that a hostile object of a thousand
/// members still costs O(n log n).
#[derive(Default)]
struct SeenKeys<'a> {
    few: Vec<Cow<'a, str>>,
    many: BTreeSet<Cow<'a, str>>,
}

impl<'a> SeenKeys<'a> {
    const FEW: usize = 16;

    /// Adds `key`; `false` when it was there already.
    fn insert(&mut self, key: Cow<'a, str>) -> bool {
        if self.few.contains(&key) {
            return false;
        }
        if self.few.len() < Self::FEW {
            if self.few.capacity() == 0 {
                self.few.reserve_exact(Self::FEW);
            }
            self.few.push(key);
            true
        } else {
            self.many.insert(key)
        }
    }
}

/// A member name, borrowed when it has no escapes.
struct Key<'a>(Cow<'a, str>);

impl<'de> serde::Deserialize<'de> for Key<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(TextVisitor).map(Key)
    }
}

struct TextVisitor;

impl<'de> serde::de::Visitor<'de> for TextVisitor {
    type Value = Cow<'de, str>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }
    fn visit_borrowed_str<E>(self, text: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(text))
    }
    fn visit_str<E>(self, text: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(text.to_owned()))
    }
    fn visit_string<E>(self, text: String) -> Result<Self::Value, E> {
        Ok(Cow::Owned(text))
    }
}

impl<'de> serde::Deserialize<'de> for Member<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Containers;
        impl<'de> serde::de::Visitor<'de> for Containers {
            type Value = Member<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                seq: A,
            ) -> Result<Member<'de>, A::Error> {
                Skip::seq(seq).map(|()| Member::Other)
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<Member<'de>, A::Error> {
                Skip::map(map).map(|()| Member::Other)
            }
        }
        deserializer.deserialize_any(AnyOf(Containers, |member| member))
    }
}

/// A JSON value read for its syntax and dropped: nothing allocated, strings not
/// copied, and nested arrays and objects counted against serde_json's depth limit
/// (128), as `Value` counts them, so that whatever passes here also parses as a
/// `Value` later. (`IgnoredAny` would skip without that limit.)
pub(super) struct Skip;

impl Skip {
    fn seq<'de, A: serde::de::SeqAccess<'de>>(mut seq: A) -> Result<(), A::Error> {
        while seq.next_element::<Skip>()?.is_some() {}
        Ok(())
    }

    fn map<'de, A: serde::de::MapAccess<'de>>(mut map: A) -> Result<(), A::Error> {
        while map.next_entry::<Skip, Skip>()?.is_some() {}
        Ok(())
    }
}

impl<'de> serde::Deserialize<'de> for Skip {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Any;
        impl<'de> serde::de::Visitor<'de> for Any {
            type Value = Skip;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_bool<E>(self, _: bool) -> Result<Skip, E> {
                Ok(Skip)
            }
            fn visit_i64<E>(self, _: i64) -> Result<Skip, E> {
                Ok(Skip)
            }
            fn visit_u64<E>(self, _: u64) -> Result<Skip, E> {
                Ok(Skip)
            }
            fn visit_f64<E>(self, _: f64) -> Result<Skip, E> {
                Ok(Skip)
            }
            fn visit_str<E>(self, _: &str) -> Result<Skip, E> {
                Ok(Skip)
            }
            fn visit_unit<E>(self) -> Result<Skip, E> {
                Ok(Skip)
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, seq: A) -> Result<Skip, A::Error> {
                Skip::seq(seq).map(|()| Skip)
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Skip, A::Error> {
                Skip::map(map).map(|()| Skip)
            }
        }
        deserializer.deserialize_any(Any)
    }
}

/// The claims the verifier decides on, read from the decoded payload without building
/// the claim set: a `Value` map costs a token of a dozen claims about 1 µs of
/// allocations, and the handler may never ask for it (`VerifiedClaims::claims` builds
/// it from the same bytes, once, when asked). Read as [`strict_object`] reads: one
/// JSON object, distinct members, nested at most 128 deep, else `None`.
pub(super) struct PayloadReading<'a> {
    pub(super) exp: Member<'a>,
    pub(super) nbf: Member<'a>,
    pub(super) iat: Member<'a>,
    pub(super) iss: Member<'a>,
    pub(super) sub: Member<'a>,
    pub(super) jti: Member<'a>,
    pub(super) aud: Audience<'a>,
    /// The members that may hold the scopes (see [`read_payload`]), in token order.
    pub(super) scope_claims: Vec<(Cow<'a, str>, ScopesValue<'a>)>,
}

/// The `aud` claim: one string, an array of strings, or something else.
#[derive(Debug, PartialEq)]
pub(super) enum Audience<'a> {
    Absent,
    One(Cow<'a, str>),
    Many(Vec<Cow<'a, str>>),
    /// Any other JSON type, or an array with an item that is not a string.
    Other,
}

/// A member that may hold the scopes: one string, an array of strings, or anything
/// else (which grants no scope).
#[derive(Debug, PartialEq)]
pub(crate) enum ScopesValue<'a> {
    Text(Cow<'a, str>),
    List(Vec<Cow<'a, str>>),
    Invalid,
}

/// Reads a decoded payload; `scope_claim` says which member names may hold scopes
/// (their values are kept; every other member is read with [`Member`] if registered,
/// else skipped).
pub(super) fn read_payload<'a>(
    json: &'a [u8],
    scope_claim: &dyn Fn(&str) -> bool,
) -> Option<PayloadReading<'a>> {
    use serde::de::DeserializeSeed as _;
    let mut deserializer = serde_json::Deserializer::from_slice(json);
    let reading = PayloadSeed { scope_claim }
        .deserialize(&mut deserializer)
        .ok()?;
    deserializer.end().ok()?;
    Some(reading)
}

struct PayloadSeed<'s> {
    scope_claim: &'s dyn Fn(&str) -> bool,
}

impl<'de> serde::de::DeserializeSeed<'de> for PayloadSeed<'_> {
    type Value = PayloadReading<'de>;
    fn deserialize<D: serde::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> serde::de::Visitor<'de> for PayloadSeed<'_> {
    type Value = PayloadReading<'de>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(
        self,
        mut access: A,
    ) -> Result<Self::Value, A::Error> {
        let mut reading = PayloadReading {
            exp: Member::Absent,
            nbf: Member::Absent,
            iat: Member::Absent,
            iss: Member::Absent,
            sub: Member::Absent,
            jti: Member::Absent,
            aud: Audience::Absent,
            scope_claims: Vec::new(),
        };
        let mut seen = SeenKeys::default();
        while let Some(Key(key)) = access.next_key::<Key<'de>>()? {
            let slot = match &*key {
                "exp" => Some(&mut reading.exp),
                "nbf" => Some(&mut reading.nbf),
                "iat" => Some(&mut reading.iat),
                "iss" => Some(&mut reading.iss),
                "sub" => Some(&mut reading.sub),
                "jti" => Some(&mut reading.jti),
                _ => None,
            };
            if let Some(slot) = slot {
                *slot = access.next_value()?;
            } else if key == "aud" {
                reading.aud = access.next_value()?;
            } else if (self.scope_claim)(&key) {
                let value = access.next_value()?;
                reading.scope_claims.push((key.clone(), value));
            } else {
                access.next_value::<Skip>()?;
            }
            if !seen.insert(key) {
                return Err(serde::de::Error::custom("duplicate member"));
            }
        }
        Ok(reading)
    }
}

/// An array of strings (`Ok`), or of anything else (`Err`): read through in both cases.
fn strings<'de, A: serde::de::SeqAccess<'de>>(
    mut seq: A,
) -> Result<Result<Vec<Cow<'de, str>>, ()>, A::Error> {
    let mut items = Vec::new();
    let mut all_strings = true;
    while let Some(item) = seq.next_element::<Member<'de>>()? {
        match item {
            Member::Text(text) if all_strings => items.push(text),
            _ => all_strings = false,
        }
    }
    Ok(if all_strings { Ok(items) } else { Err(()) })
}

impl<'de> serde::Deserialize<'de> for Audience<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Audience<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                seq: A,
            ) -> Result<Audience<'de>, A::Error> {
                Ok(strings(seq)?.map_or(Audience::Other, Audience::Many))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<Audience<'de>, A::Error> {
                Skip::map(map).map(|()| Audience::Other)
            }
        }
        // Strings and scalars through `Member`, arrays and objects here.
        deserializer.deserialize_any(AnyOf(Visitor, |member| match member {
            Member::Text(text) => Audience::One(text),
            _ => Audience::Other,
        }))
    }
}

impl<'de> serde::Deserialize<'de> for ScopesValue<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = ScopesValue<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                seq: A,
            ) -> Result<ScopesValue<'de>, A::Error> {
                Ok(strings(seq)?.map_or(ScopesValue::Invalid, ScopesValue::List))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<ScopesValue<'de>, A::Error> {
                Skip::map(map).map(|()| ScopesValue::Invalid)
            }
        }
        deserializer.deserialize_any(AnyOf(Visitor, |member| match member {
            Member::Text(text) => ScopesValue::Text(text),
            _ => ScopesValue::Invalid,
        }))
    }
}

/// A visitor that takes arrays and objects from `V` and every scalar as a [`Member`]
/// mapped by `F`: the one place JSON scalars become members.
struct AnyOf<V, F>(V, F);

impl<'de, V, F, T> serde::de::Visitor<'de> for AnyOf<V, F>
where
    V: serde::de::Visitor<'de, Value = T>,
    F: FnOnce(Member<'de>) -> T,
{
    type Value = T;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.expecting(f)
    }
    fn visit_borrowed_str<E>(self, text: &'de str) -> Result<T, E> {
        Ok((self.1)(Member::Text(Cow::Borrowed(text))))
    }
    fn visit_str<E>(self, text: &str) -> Result<T, E> {
        Ok((self.1)(Member::Text(Cow::Owned(text.to_owned()))))
    }
    fn visit_string<E>(self, text: String) -> Result<T, E> {
        Ok((self.1)(Member::Text(Cow::Owned(text))))
    }
    fn visit_unit<E>(self) -> Result<T, E> {
        Ok((self.1)(Member::Null))
    }
    fn visit_bool<E>(self, _: bool) -> Result<T, E> {
        Ok((self.1)(Member::Other))
    }
    // As `Value::as_f64` reads numbers (no `arbitrary_precision`).
    #[allow(clippy::cast_precision_loss)]
    fn visit_i64<E>(self, number: i64) -> Result<T, E> {
        Ok((self.1)(Member::Number(number as f64)))
    }
    #[allow(clippy::cast_precision_loss)]
    fn visit_u64<E>(self, number: u64) -> Result<T, E> {
        Ok((self.1)(Member::Number(number as f64)))
    }
    fn visit_f64<E>(self, number: f64) -> Result<T, E> {
        Ok((self.1)(Member::Number(number)))
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, seq: A) -> Result<T, A::Error> {
        self.0.visit_seq(seq)
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        self.0.visit_map(map)
    }
}

#[cfg(test)]
mod tests {
    use super::{Member, jose_header, strict_object};

    #[test]
    fn jose_headers_read_as_the_strict_reader_does() {
        let cases: &[&[u8]] = &[
            br#"{"alg":"RS256","typ":"at+jwt","kid":"k1"}"#,
            br#"{"alg":"RS256","alg":"HS256"}"#,
            br#"{"x":1,"x":2,"alg":"RS256"}"#,
            br#"{"alg":"RS256","kid":null,"typ":["at+jwt"]}"#,
            br#"{"alg":"RS\u0032\u0035\u0036","kid":"\"k\""}"#,
            br#"{"alg":"RS256","crit":["exp"]}"#,
            br#"{"alg":"RS256","x":{"y":[1,{"z":null}]}}"#,
            br#"{"alg":"RS256"} x"#,
            br#"["alg"]"#,
            br#""alg""#,
            br#"{"alg":"RS256","#,
            b"{\"alg\":\"\xff\"}",
        ];
        for &json in cases {
            let strict = strict_object(json);
            let header = jose_header(json);
            assert_eq!(
                strict.is_some(),
                header.is_some(),
                "{}",
                String::from_utf8_lossy(json)
            );
            let (Some(strict), Some(header)) = (strict, header) else {
                continue;
            };
            for (name, member) in [
                ("alg", &header.alg),
                ("kid", &header.kid),
                ("typ", &header.typ),
            ] {
                let expected = match strict.get(name) {
                    None => Member::Absent,
                    Some(serde_json::Value::Null) => Member::Null,
                    Some(serde_json::Value::String(text)) => Member::Text(text.clone().into()),
                    Some(serde_json::Value::Number(n)) => Member::Number(n.as_f64().expect("f64")),
                    Some(_) => Member::Other,
                };
                assert_eq!(
                    member,
                    &expected,
                    "{name} of {}",
                    String::from_utf8_lossy(json)
                );
            }
            assert_eq!(header.crit, strict.contains_key("crit"));
        }
        // Nesting is limited as serde_json limits it (128 levels), skipped members too.
        let deep = |depth: usize| {
            format!(
                r#"{{"alg":"RS256","x":{}1{}}}"#,
                "[".repeat(depth),
                "]".repeat(depth)
            )
        };
        assert!(jose_header(deep(100).as_bytes()).is_some());
        assert!(jose_header(deep(200).as_bytes()).is_none());
        assert!(strict_object(deep(200).as_bytes()).is_none());
    }

    #[test]
    fn duplicates_are_found_past_the_first_sixteen_members() {
        let object = |names: &[String]| {
            let members: Vec<String> = names.iter().map(|n| format!(r#""{n}":1"#)).collect();
            format!("{{{}}}", members.join(","))
        };
        let distinct: Vec<String> = (0..40).map(|i| format!("m{i}")).collect();
        let may_hold = |_: &str| false;
        assert!(jose_header(object(&distinct).as_bytes()).is_some());
        assert!(super::read_payload(object(&distinct).as_bytes(), &may_hold).is_some());
        for (first, again) in [(2, 30), (20, 35), (15, 16)] {
            let mut names = distinct.clone();
            names[again] = names[first].clone();
            let json = object(&names);
            assert!(jose_header(json.as_bytes()).is_none(), "{first} at {again}");
            assert!(
                super::read_payload(json.as_bytes(), &may_hold).is_none(),
                "{first} at {again}"
            );
            assert!(strict_object(json.as_bytes()).is_none());
        }
    }

    mod payload_property {
        use proptest::prelude::*;
        use serde_json::{Map, Value};

        use super::super::super::claims::{VerifiedClaims, parse_scopes};
        use super::super::{Audience, Member, read_payload, strict_object};

        /// RFC 7519's types, as the verifier checked them on a `Value` map.
        fn reference_types(claims: &Map<String, Value>) -> Result<(), &'static str> {
            for name in ["exp", "nbf", "iat"] {
                if claims.get(name).is_some_and(|v| !v.is_number()) {
                    return Err(name);
                }
            }
            for name in ["iss", "sub", "jti"] {
                if claims.get(name).is_some_and(|v| !v.is_string()) {
                    return Err(name);
                }
            }
            match claims.get("aud") {
                None | Some(Value::String(_)) => Ok(()),
                Some(Value::Array(items)) if items.iter().all(Value::is_string) => Ok(()),
                Some(_) => Err("aud"),
            }
        }

        fn member(value: &Member<'_>) -> Option<Value> {
            match value {
                Member::Absent => None,
                Member::Null => Some(Value::Null),
                Member::Text(text) => Some(Value::from(&**text)),
                Member::Number(number) => Some(Value::from(*number)),
                Member::Other => Some(Value::Bool(true)),
            }
        }

        fn reference_member(value: Option<&Value>) -> Option<Value> {
            value.map(|value| match value {
                Value::Number(n) => Value::from(n.as_f64().expect("f64")),
                Value::Null | Value::String(_) => value.clone(),
                _ => Value::Bool(true),
            })
        }

        fn scalar() -> impl Strategy<Value = String> {
            prop_oneof![
                Just("null".to_owned()),
                Just("true".to_owned()),
                Just("0".to_owned()),
                Just("-1".to_owned()),
                Just("1.5e3".to_owned()),
                Just("18446744073709551616".to_owned()),
                Just("1e400".to_owned()),
                Just(r#""""#.to_owned()),
                Just(r#""a b""#.to_owned()),
                Just(r#""a  b ""#.to_owned()),
                Just(r#""\u0061:\"x\"""#.to_owned()),
                Just(r#""\ud800""#.to_owned()),
                "[a-c:]{0,4}".prop_map(|s| format!("\"{s}\"")),
            ]
        }

        fn value() -> impl Strategy<Value = String> {
            let leaf = scalar();
            let nested = leaf.prop_recursive(3, 16, 4, |inner| {
                prop_oneof![
                    prop::collection::vec(inner.clone(), 0..4)
                        .prop_map(|v| format!("[{}]", v.join(","))),
                    prop::collection::vec(("[a-c]{1,2}", inner), 0..3).prop_map(|v| {
                        let members: Vec<String> =
                            v.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
                        format!("{{{}}}", members.join(","))
                    }),
                ]
            });
            prop_oneof![
                4 => nested,
                // Around serde_json's depth limit (128).
                1 => (120usize..136).prop_map(|depth| format!("{}1{}", "[".repeat(depth), "]".repeat(depth))),
            ]
        }

        fn key() -> impl Strategy<Value = &'static str> {
            prop::sample::select(vec![
                "exp",
                "nbf",
                "iat",
                "iss",
                "sub",
                "jti",
                "aud",
                "scopes",
                "scope",
                "scp",
                "permissions",
                "x",
                r"\u0065xp",
                r"sc\u006fpe",
            ])
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(
                std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(2_000)
            ))]

            /// Reading the payload without a claim set decides exactly as reading it
            /// into a `Value` map does, and the claim set built later is that map.
            #[test]
            fn the_payload_reading_is_the_maps(
                members in prop::collection::vec((key(), value()), 0..8),
                trailing in prop::sample::select(vec!["", " ", " x", ","]),
            ) {
                let body: Vec<String> = members.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
                let json = format!("{{{}}}{trailing}", body.join(","));
                let may_hold = |name: &str| ["scopes", "scope", "scp", "permissions"].contains(&name);
                let reference = strict_object(json.as_bytes());
                let reading = read_payload(json.as_bytes(), &may_hold);
                prop_assert_eq!(reference.is_some(), reading.is_some(), "{}", json);
                let (Some(map), Some(reading)) = (reference, reading) else {
                    return Ok(());
                };
                prop_assert_eq!(reference_types(&map), super::super::super::validate::check_claim_types(&reading));
                for (name, ours) in [
                    ("exp", &reading.exp), ("nbf", &reading.nbf), ("iat", &reading.iat),
                    ("iss", &reading.iss), ("sub", &reading.sub), ("jti", &reading.jti),
                ] {
                    prop_assert_eq!(reference_member(map.get(name)), member(ours), "{} in {}", name, json);
                }
                let aud = match map.get("aud") {
                    None => Audience::Absent,
                    Some(Value::String(a)) => Audience::One(a.as_str().into()),
                    Some(Value::Array(items)) if items.iter().all(Value::is_string) => {
                        Audience::Many(items.iter().filter_map(Value::as_str).map(Into::into).collect())
                    }
                    Some(_) => Audience::Other,
                };
                prop_assert_eq!(&aud, &reading.aud);
                for claim in [None, Some("permissions"), Some("x")] {
                    let chosen = super::super::super::claims::choose_scopes_claim(
                        |name| reading.scope_claims.iter().find(|(k, _)| k == name).map(|(_, v)| v),
                        claim,
                    );
                    let ours = super::super::super::claims::scopes_of(chosen);
                    // `x` is not a scopes claim for this reading: only configured names are kept.
                    let expected = if claim == Some("x") { Vec::new() } else { parse_scopes(&map, claim) };
                    prop_assert_eq!(expected, ours, "{:?} in {}", claim, json);
                }
                let claims = VerifiedClaims::from_payload(json.trim_end().as_bytes().to_vec(), Vec::new(), None, None);
                prop_assert_eq!(claims.claims(), &map);
            }
        }
    }
}
