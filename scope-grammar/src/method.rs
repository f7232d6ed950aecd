//! HTTP methods as the DSL spells them, and the per-method "slots" the matcher indexes by.

use std::fmt;

/// One of the nine standard HTTP methods a rule can name.
///
/// HTTP methods are case-sensitive (RFC 9110 §9.1), so only the upper-case spelling parses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Method {
    /// `GET`
    Get,
    /// `HEAD`
    Head,
    /// `POST`
    Post,
    /// `PUT`
    Put,
    /// `PATCH`
    Patch,
    /// `DELETE`
    Delete,
    /// `OPTIONS`
    Options,
    /// `TRACE`
    Trace,
    /// `CONNECT`
    Connect,
}

impl Method {
    /// Every method, in slot order.
    pub const ALL: [Method; 9] = [
        Method::Get,
        Method::Head,
        Method::Post,
        Method::Put,
        Method::Patch,
        Method::Delete,
        Method::Options,
        Method::Trace,
        Method::Connect,
    ];

    /// The upper-case name, as it appears on the wire.
    pub const fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Head => "HEAD",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
            Method::Options => "OPTIONS",
            Method::Trace => "TRACE",
            Method::Connect => "CONNECT",
        }
    }

    /// Parses the exact (case-sensitive) wire name.
    #[inline]
    pub fn from_name(name: &str) -> Option<Method> {
        // The runtime maps every request's method through here (see `slot_of`): a `match`
        // compiles to a dispatch on the length and one comparison, where a search of
        // `ALL` compares up to nine names. `names_round_trip` keeps it the inverse of
        // `as_str`.
        match name {
            "GET" => Some(Method::Get),
            "HEAD" => Some(Method::Head),
            "POST" => Some(Method::Post),
            "PUT" => Some(Method::Put),
            "PATCH" => Some(Method::Patch),
            "DELETE" => Some(Method::Delete),
            "OPTIONS" => Some(Method::Options),
            "TRACE" => Some(Method::Trace),
            "CONNECT" => Some(Method::Connect),
            _ => None,
        }
    }

    /// The matcher slot of this method (see [`slot_of`]).
    pub const fn slot(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which request methods a rule applies to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MethodFilter {
    /// `*`: every method, including extension methods.
    Any,
    /// One named method.
    Only(Method),
}

impl fmt::Display for MethodFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MethodFilter::Any => f.write_str("*"),
            MethodFilter::Only(m) => m.fmt(f),
        }
    }
}

/// Number of method slots: the nine standard methods plus one for every other method.
pub const SLOT_COUNT: usize = 10;

/// The slot for methods the DSL cannot name (extension methods such as `PROPFIND`):
/// only `*` rules apply to them.
pub const OTHER_SLOT: usize = 9;

/// Maps a request method (exact, case-sensitive wire name) to its matcher slot: the one
/// definition of that mapping, for the compile-time matcher and the runtime alike (the
/// runtime passes `http::Method::as_str()`).
///
/// ```
/// use scope_grammar::{slot_of, Method, OTHER_SLOT};
/// assert_eq!(slot_of("GET"), Method::Get.slot());
/// assert_eq!(slot_of("get"), OTHER_SLOT); // methods are case-sensitive
/// ```
#[inline]
pub fn slot_of(method: &str) -> usize {
    Method::from_name(method).map_or(OTHER_SLOT, Method::slot)
}

/// How strongly a rule's method filter applies to a request slot; `None` when it does not.
///
/// For one path pattern a named method beats `*`; a `HEAD` request with no `HEAD` rule of
/// its own uses the `GET` rule (axum serves `HEAD` with `GET` handlers), which still beats `*`.
pub fn method_rank(filter: MethodFilter, slot: usize) -> Option<u8> {
    match filter {
        MethodFilter::Only(m) if m.slot() == slot => Some(3),
        MethodFilter::Only(Method::Get) if slot == Method::Head.slot() => Some(2),
        MethodFilter::Only(_) => None,
        MethodFilter::Any => Some(1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for (slot, method) in Method::ALL.into_iter().enumerate() {
            assert_eq!(Method::from_name(method.as_str()), Some(method));
            assert_eq!(method.slot(), slot);
            assert_eq!(slot_of(method.as_str()), slot);
            let lower = method.as_str().to_ascii_lowercase();
            assert_eq!(Method::from_name(&lower), None);
        }
        for other in ["", "PROPFIND", "GETX", "GE", "*"] {
            assert_eq!(Method::from_name(other), None);
            assert_eq!(slot_of(other), OTHER_SLOT);
        }
    }
}
