//! The strict JSON and base64url readers of the JOSE header and the claims.

use std::fmt;

use serde_json::{Map, Value};

/// Parses a JSON object whose members are all distinct: a duplicate member (two `exp`,
/// two `alg`) makes the token malformed instead of letting the last one win.
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
                        if map.contains_key(&key) {
                            return Err(serde::de::Error::custom("duplicate member"));
                        }
                        map.insert(key, value);
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
