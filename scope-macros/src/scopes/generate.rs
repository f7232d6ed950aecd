//! Emits the static matcher: a trie over the patterns, walked depth first in precedence
//! order (literal, `*`, `{*x}`, `**`), so the first rule found is the most specific. A
//! node that may have to backtrack (several children, or rules of its own besides a
//! child) is a function; the others are inlined into their parent. Literal children are
//! dispatched on the segment's length, then on the byte that best tells them apart, so
//! the cost per segment does not grow with the number of rules. No allocation, no
//! hashing, no regex.

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use scope_grammar::{Method, MethodFilter, Node, NodeId, RouteKey, SlotTable, Trie};

use super::parse::RequirementInput;
use super::validate::ValidRule;

/// The `Policy` expression for validated rules.
pub(crate) fn policy(rules: &[ValidRule]) -> TokenStream {
    let rule_items = rules.iter().map(rule_tokens);
    let keys: Vec<RouteKey> = rules.iter().map(|r| r.key.clone()).collect();
    let trie = Trie::build(&keys);
    // Nodes that need no backtracking (no children, or one child and no rule of their
    // own) are inlined where their parent reaches them; the others (and the root)
    // become functions. This keeps the expansion, and so the build, small.
    let nodes = trie
        .nodes
        .iter()
        .enumerate()
        .filter(|&(id, node)| id == 0 || !is_inlined(node))
        .map(|(id, node)| node_fn(&trie, id, node));
    quote! {{
        const __SCOPE_RULES: &[::scope_runtime::__private::Rule] = &[#(#rule_items),*];
        #(#nodes)*
        fn __scope_match(slot: usize, rest: &[u8]) -> ::core::option::Option<u16> {
            __scope_node_0(slot, ::core::option::Option::Some(rest))
        }
        ::scope_runtime::__private::policy(__SCOPE_RULES, __scope_match)
    }}
}

fn rule_tokens(rule: &ValidRule) -> TokenStream {
    let key = &rule.key_literal;
    let method = match rule.key.method {
        MethodFilter::Any => quote!(::scope_runtime::__private::MethodFilter::Any),
        MethodFilter::Only(m) => {
            let variant = match m {
                Method::Get => quote!(Get),
                Method::Head => quote!(Head),
                Method::Post => quote!(Post),
                Method::Put => quote!(Put),
                Method::Patch => quote!(Patch),
                Method::Delete => quote!(Delete),
                Method::Options => quote!(Options),
                Method::Trace => quote!(Trace),
                Method::Connect => quote!(Connect),
            };
            quote!(::scope_runtime::__private::MethodFilter::Only(
                ::scope_runtime::__private::Method::#variant
            ))
        }
    };
    let pattern = rule.key.path.as_str();
    let requirement = match &rule.requirement {
        RequirementInput::Public => quote!(::scope_runtime::__private::Requirement::Public),
        RequirementInput::Optional => quote!(::scope_runtime::__private::Requirement::Optional),
        RequirementInput::AllOf(list) => {
            let slice = list.to_rule_tokens(&rule.key.path);
            quote!(::scope_runtime::__private::Requirement::AllOf(#slice))
        }
        RequirementInput::AnyOf(_, list) => {
            let slice = list.to_rule_tokens(&rule.key.path);
            quote!(::scope_runtime::__private::Requirement::AnyOf(#slice))
        }
    };
    quote!(::scope_runtime::__private::rule(#key, #method, #pattern, #requirement))
}

fn node_name(id: NodeId) -> proc_macro2::Ident {
    format_ident!("__scope_node_{}", id)
}

fn is_childless(node: &Node) -> bool {
    node.literals.is_empty() && node.one.is_none()
}

/// A node on the way to one other node only: one child, and no rule ends or starts a
/// catch-all here.
fn is_pass_through(node: &Node) -> bool {
    let no_rules = [&node.end, &node.rest_one_or_more, &node.rest_any]
        .iter()
        .all(|table| table.iter().all(Option::is_none));
    no_rules && node.literals.len() + usize::from(node.one.is_some()) == 1
}

fn is_inlined(node: &Node) -> bool {
    is_childless(node) || is_pass_through(node)
}

/// The expression that continues the walk at node `id` with the remaining path `next`
/// (an `Option<&[u8]>` in scope), `slot` in scope: a call, or for a childless node its
/// whole logic inline (only its terminal tables remain).
fn visit(trie: &Trie, id: NodeId) -> TokenStream {
    let node = &trie.nodes[id];
    if is_pass_through(node) {
        // Take the next segment and go on to the one child, or match nothing.
        let step = match (node.literals.first(), node.one) {
            (Some((literal, child)), _) => {
                let child = visit(trie, *child);
                let bytes = Literal::byte_string(literal);
                quote!(if *segment == *#bytes { #child } else { ::core::option::Option::None })
            }
            (None, Some(child)) => {
                let child = visit(trie, child);
                quote!(if segment.is_empty() { ::core::option::Option::None } else { #child })
            }
            (None, None) => quote!(::core::option::Option::None),
        };
        return quote! {
            match next {
                ::core::option::Option::None => ::core::option::Option::None,
                ::core::option::Option::Some(rest) => {
                    let (segment, next) = ::scope_runtime::__private::split_segment(rest);
                    #step
                }
            }
        };
    }
    if !is_childless(node) {
        let name = node_name(id);
        return quote!(#name(slot, next));
    }
    let ended = slot_table(&ended_table(node));
    let rest_any = slot_table(&node.rest_any);
    // Another segment follows: only the catch-alls starting here can still match.
    let more = if node.rest_one_or_more.iter().any(Option::is_some) {
        let rest_one_or_more = slot_table(&node.rest_one_or_more);
        quote! {
            ::core::option::Option::Some(rest) => {
                match if rest.is_empty() { ::core::option::Option::None } else { #rest_one_or_more } {
                    found @ ::core::option::Option::Some(_) => found,
                    ::core::option::Option::None => #rest_any,
                }
            }
        }
    } else {
        quote!(::core::option::Option::Some(_) => #rest_any)
    };
    quote! {
        match next {
            ::core::option::Option::None => #ended,
            #more
        }
    }
}

/// For a path that ends at `node`: a rule ending here, else a `**` matching nothing.
fn ended_table(node: &Node) -> SlotTable {
    let mut ended = [None; scope_grammar::SLOT_COUNT];
    for (slot, entry) in ended.iter_mut().enumerate() {
        *entry = node.end[slot].or(node.rest_any[slot]);
    }
    ended
}

fn node_fn(trie: &Trie, id: NodeId, node: &Node) -> TokenStream {
    let name = node_name(id);
    let mask = Literal::u16_unsuffixed(node.slot_mask);
    let ended = slot_table(&ended_table(node));
    let literals = if node.literals.is_empty() {
        quote!()
    } else {
        let dispatch = literal_dispatch(trie, &node.literals);
        quote! {
            if let found @ ::core::option::Option::Some(_) = #dispatch {
                return found;
            }
        }
    };
    let one = match node.one {
        Some(child) => {
            let child = visit(trie, child);
            quote! {
                if !segment.is_empty() {
                    if let found @ ::core::option::Option::Some(_) = #child {
                        return found;
                    }
                }
            }
        }
        None => quote!(),
    };
    let rest_one_or_more = if node.rest_one_or_more.iter().any(Option::is_some) {
        let table = slot_table(&node.rest_one_or_more);
        quote! {
            if !rest.is_empty() {
                if let found @ ::core::option::Option::Some(_) = #table {
                    return found;
                }
            }
        }
    } else {
        quote!()
    };
    let rest_any = slot_table(&node.rest_any);
    // Only bind what the body uses, so the expansion is warning-free.
    let segment_binding = if node.literals.is_empty() && node.one.is_none() {
        quote!()
    } else {
        quote!(let (segment, next) = ::scope_runtime::__private::split_segment(rest);)
    };
    quote! {
        #[allow(unused_variables, clippy::question_mark)]
        fn #name(slot: usize, rest: ::core::option::Option<&[u8]>) -> ::core::option::Option<u16> {
            if (#mask & (1u16 << slot)) == 0 {
                return ::core::option::Option::None;
            }
            let ::core::option::Option::Some(rest) = rest else {
                return #ended;
            };
            #segment_binding
            #literals
            #one
            #rest_one_or_more
            #rest_any
        }
    }
}

/// `match slot { 0 | 1 => Some(3), _ => None }`
fn slot_table(table: &SlotTable) -> TokenStream {
    let mut arms = Vec::new();
    let mut seen: Vec<u16> = Vec::new();
    for rule in table.iter().flatten() {
        if seen.contains(rule) {
            continue;
        }
        seen.push(*rule);
        let slots = table
            .iter()
            .enumerate()
            .filter(|(_, r)| *r == &Some(*rule))
            .map(|(s, _)| Literal::usize_unsuffixed(s));
        let rule = Literal::u16_suffixed(*rule);
        arms.push(quote!(#(#slots)|* => ::core::option::Option::Some(#rule)));
    }
    if arms.is_empty() {
        return quote!(::core::option::Option::None);
    }
    quote!(match slot { #(#arms,)* _ => ::core::option::Option::None })
}

/// Dispatch on `segment` to at most one literal child: by length, then by the byte
/// position that splits the remaining candidates best, then one exact comparison.
fn literal_dispatch(trie: &Trie, children: &[(Vec<u8>, NodeId)]) -> TokenStream {
    let mut lengths: Vec<usize> = children.iter().map(|(l, _)| l.len()).collect();
    lengths.sort_unstable();
    lengths.dedup();
    let arms = lengths.into_iter().map(|len| {
        let group: Vec<&(Vec<u8>, NodeId)> =
            children.iter().filter(|(l, _)| l.len() == len).collect();
        let body = same_length_dispatch(trie, &group);
        let len = Literal::usize_unsuffixed(len);
        quote!(#len => #body)
    });
    quote!(match segment.len() { #(#arms,)* _ => ::core::option::Option::None })
}

fn same_length_dispatch(trie: &Trie, group: &[&(Vec<u8>, NodeId)]) -> TokenStream {
    if let [(literal, child)] = group {
        let child = visit(trie, *child);
        if literal.is_empty() {
            return child;
        }
        let bytes = Literal::byte_string(literal);
        return quote! {
            if *segment == *#bytes { #child } else { ::core::option::Option::None }
        };
    }
    // The position with the most distinct bytes; two distinct literals of one length
    // always differ somewhere, so this terminates.
    let len = group[0].0.len();
    let position = (0..len)
        .max_by_key(|&i| {
            let mut bytes: Vec<u8> = group.iter().map(|(l, _)| l[i]).collect();
            bytes.sort_unstable();
            bytes.dedup();
            (bytes.len(), std::cmp::Reverse(i))
        })
        .expect("literals in a group of two or more are non-empty");
    let mut values: Vec<u8> = group.iter().map(|(l, _)| l[position]).collect();
    values.sort_unstable();
    values.dedup();
    let arms = values.into_iter().map(|value| {
        let sub: Vec<&(Vec<u8>, NodeId)> = group
            .iter()
            .copied()
            .filter(|(l, _)| l[position] == value)
            .collect();
        let body = same_length_dispatch(trie, &sub);
        let value = Literal::u8_suffixed(value);
        quote!(#value => #body)
    });
    let position = Literal::usize_unsuffixed(position);
    quote!(match segment[#position] { #(#arms,)* _ => ::core::option::Option::None })
}
