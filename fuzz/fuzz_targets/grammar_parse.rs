//! (c) The DSL's parser and validators as library functions, on arbitrary strings:
//! `RouteKey::parse`, `PathPattern::parse`, `validate_scope`, `validate_scope_list`.
//!
//! They run inside the proc-macro at compile time, so a panic there is an internal
//! compiler error for the user instead of a message. Invariants checked besides "never
//! panics":
//! - every error has a non-empty message;
//! - a key that parses prints back (`Display`) to a key that parses to the same value;
//! - a pattern that parses keeps its source text, and a literal-only pattern matches
//!   its own text as a request path;
//! - `validate_scope` accepts exactly the RFC 6749 scope-token alphabet minus braces;
//! - a scope template (input split at its first newline: a path pattern, then a scope)
//!   that parses prints back from its parts, and each capture it names is that segment
//!   of the pattern, with that name.

#![no_main]

use libfuzzer_sys::fuzz_target;
use scope_grammar::{
    PathPattern, RouteKey, ScopeListIssue, ScopeSite, ScopeTemplate, Segment, TemplatePart,
    Trie, reference_lookup, validate_scope, validate_scope_list,
};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let text: &str = &text;

    match RouteKey::parse(text) {
        Ok(key) => {
            let printed = key.to_string();
            assert_eq!(printed, text, "a valid key prints back as written");
            let again = RouteKey::parse(&printed).expect("the printed key parses");
            assert_eq!(again, key);
            assert!(key.same_rule(&again));
            // A one-rule trie agrees with the reference on the key's own path.
            let rules = [key.clone()];
            let trie = Trie::build(&rules);
            let method = key.method.to_string();
            let path = key.path.as_str().as_bytes();
            assert_eq!(
                trie.lookup(&method, path).map(usize::from),
                reference_lookup(&rules, &method, path)
            );
        }
        Err(errors) => {
            assert!(!errors.is_empty());
            assert!(errors.iter().all(|e| !e.message().is_empty()));
        }
    }

    match PathPattern::parse(text) {
        Ok(pattern) => {
            assert_eq!(pattern.as_str(), text);
            assert!(!pattern.segments().is_empty());
            let literal_only = pattern
                .segments()
                .iter()
                .all(|s| matches!(s, Segment::Literal(_)));
            if literal_only {
                // Patterns match decoded paths; the pattern's own text, decoded, is one.
                let decoded = scope_grammar::decode(text.as_bytes());
                assert!(pattern.matches(&decoded), "{text:?} matches itself");
                // No literal can hold what the path guard refuses.
                assert_eq!(
                    scope_grammar::PathClasses::ALL.first_in(text.as_bytes()),
                    None,
                    "{text:?} parses, so no request spelling it is refused"
                );
            }
            assert!(pattern.same_shape(&pattern));
            let names: Vec<&str> = pattern.capture_names().collect();
            for (i, n) in names.iter().enumerate() {
                assert!(!names[..i].contains(n), "capture names are unique");
            }
        }
        Err(errors) => {
            assert!(!errors.is_empty());
            assert!(errors.iter().all(|e| !e.message().is_empty()));
        }
    }

    let expected = !text.is_empty()
        && text.chars().all(|c| {
            matches!(c, '\x21' | '\x23'..='\x5b' | '\x5d'..='\x7e') && c != '{' && c != '}'
        });
    match validate_scope(text) {
        Ok(()) => assert!(expected, "accepted {text:?}"),
        Err(e) => {
            assert!(!expected, "refused {text:?}: {e}");
            assert!(!e.message().is_empty());
        }
    }

    let list: Vec<&str> = text.split(',').collect();
    if let Some((path, scope)) = text.split_once('\n')
        && let Ok(pattern) = PathPattern::parse(path)
    {
        match ScopeTemplate::parse(scope, &pattern) {
            Ok(template) => {
                let mut printed = String::new();
                for part in template.parts() {
                    match part {
                        TemplatePart::Text(text) => printed.push_str(text),
                        TemplatePart::Capture {
                            name,
                            segment,
                            rest,
                        } => {
                            printed.push_str(&format!("{{{name}}}"));
                            let expected = if *rest {
                                Segment::Rest {
                                    name: Some(name.clone()),
                                }
                            } else {
                                Segment::One {
                                    name: Some(name.clone()),
                                }
                            };
                            assert_eq!(pattern.segments()[*segment], expected);
                        }
                    }
                }
                assert_eq!(printed, scope);
            }
            Err(e) => assert!(!e.message().is_empty()),
        }
    }

    for issue in validate_scope_list(&list, ScopeSite::NoPath) {
        match issue {
            ScopeListIssue::Invalid { index, error } => {
                assert!(index < list.len());
                assert!(validate_scope(list[index]).is_err());
                assert!(!error.message().is_empty());
            }
            ScopeListIssue::Duplicate { index, first } => {
                assert!(first < index && index < list.len());
                assert_eq!(list[first], list[index]);
            }
        }
    }
});
