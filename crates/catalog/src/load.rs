//! Parser for the catalog data file (format in `tools/gen-catalog/README.md`).
//!
//! One pass over the lines; every name stays a slice of the `'static` text. Lines:
//! `K name type` (condition keys, sorted), `S prefix name` (starts a service),
//! `R name templates keys` (its resource types), `A name access resource-types keys`
//! (its actions). Fields are tab-separated; lists comma-separated.

use crate::catalog::{
    ActionData, ActionRtData, Catalog, KeyData, ResourceTypeData, ServiceData, Source, Span,
};
use crate::keys::{KeyIndex, compile_key};
use crate::text::cmp_ignore_case;
use crate::types::{AccessLevel, ConditionKeyType};
use iamwhy_diagnostic::{Diagnostic, Position};

const HEADER: &str = "iamwhy-catalog\t1";

/// Parses catalog text.
pub(crate) fn parse(text: &'static str) -> Result<Catalog, Diagnostic> {
    let mut p = Parser::default();
    // Pre-size the tables (about one action per 45 bytes of text).
    let estimate = text.len() / 45;
    p.actions.reserve(estimate);
    p.action_rts.reserve(estimate + estimate / 2);
    p.key_refs.reserve(estimate * 4);
    let mut cur = Cursor { text, pos: 0 };
    while cur.pos < text.len() {
        p.line += 1;
        // Action lines are nine in ten: read them in one pass with the cursor.
        if p.line > 1 && text.as_bytes()[cur.pos..].starts_with(b"A\t") {
            cur.pos += 2;
            p.action(&mut cur)?;
        } else {
            let line = cur.line();
            p.line_text(line)?;
        }
    }
    p.finish()
}

/// A read position in the text. Every stop is at an ASCII byte, so slicing is safe.
struct Cursor {
    text: &'static str,
    pos: usize,
}

impl Cursor {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    /// Consumes `b` if it is next.
    fn eat(&mut self, b: u8) -> bool {
        let hit = self.peek() == Some(b);
        self.pos += usize::from(hit);
        hit
    }

    /// Reads up to (not including) the next tab or newline.
    fn field(&mut self) -> &'static str {
        let bytes = self.text.as_bytes();
        let start = self.pos;
        while self.pos < bytes.len() && bytes[self.pos] != b'\t' && bytes[self.pos] != b'\n' {
            self.pos += 1;
        }
        &self.text[start..self.pos]
    }

    /// Reads the rest of the line and consumes its newline.
    fn line(&mut self) -> &'static str {
        let bytes = self.text.as_bytes();
        let start = self.pos;
        let len = bytes[start..]
            .iter()
            .position(|&b| b == b'\n')
            .unwrap_or(bytes.len() - start);
        self.pos = (start + len + 1).min(bytes.len());
        &self.text[start..start + len]
    }

    /// Reads a non-empty run of ASCII digits as a number.
    fn number(&mut self) -> Option<u32> {
        let bytes = self.text.as_bytes();
        let start = self.pos;
        let mut n: u32 = 0;
        while let Some(&b) = bytes.get(self.pos)
            && b.is_ascii_digit()
        {
            n = n.checked_mul(10)?.checked_add(u32::from(b - b'0'))?;
            self.pos += 1;
        }
        (self.pos > start).then_some(n)
    }
}

/// Splits on one ASCII byte with a plain loop (the fields are short, so this beats the general
/// `str::split` searcher). Like `str::split`, it yields a final empty piece after a trailing
/// separator and one empty piece for empty text.
struct Split(Option<&'static str>, u8);

impl Split {
    fn new(text: &'static str, sep: u8) -> Split {
        Split(Some(text), sep)
    }
}

impl Iterator for Split {
    type Item = &'static str;

    fn next(&mut self) -> Option<&'static str> {
        let rest = self.0?;
        match rest.bytes().position(|b| b == self.1) {
            Some(at) => {
                self.0 = Some(&rest[at + 1..]);
                Some(&rest[..at])
            }
            None => {
                self.0 = None;
                Some(rest)
            }
        }
    }
}

/// Parses a non-empty run of ASCII digits.
fn parse_u32(s: &str) -> Option<u32> {
    if s.is_empty() {
        return None;
    }
    s.bytes().try_fold(0u32, |acc, b| {
        let digit = b.wrapping_sub(b'0');
        (digit < 10).then_some(())?;
        acc.checked_mul(10)?.checked_add(u32::from(digit))
    })
}

#[derive(Default)]
struct Parser {
    line: usize,
    source: Option<Source>,
    services: Vec<ServiceData>,
    actions: Vec<ActionData>,
    resource_types: Vec<ResourceTypeData>,
    action_rts: Vec<ActionRtData>,
    key_refs: Vec<u32>,
    keys: Vec<KeyData>,
}

impl Parser {
    fn err<T>(&self, message: impl Into<String>) -> Result<T, Diagnostic> {
        Err(Diagnostic::error("invalid-catalog-data", message)
            .in_file("catalog.tsv")
            .at_position(Position {
                line: self.line as u32,
                column: 1,
            }))
    }

    fn line_text(&mut self, line: &'static str) -> Result<(), Diagnostic> {
        if self.line == 1 {
            return match line == HEADER {
                true => Ok(()),
                false => self.err(format!("expected header {HEADER:?}")),
            };
        }
        let mut fields = Split::new(line, b'\t');
        let kind = fields.next().unwrap_or_default();
        let mut next = || fields.next();
        match kind {
            "V" => {
                let (Some(package), Some(version), Some(updated_at)) = (next(), next(), next())
                else {
                    return self.err("V needs package, version, timestamp");
                };
                self.source = Some(Source {
                    package,
                    version,
                    updated_at,
                });
            }
            "K" => {
                let (Some(name), Some(ty)) = (next(), next()) else {
                    return self.err("K needs name and type");
                };
                let Some(key_type) = ConditionKeyType::parse(ty) else {
                    return self.err(format!("unknown key type {ty:?}"));
                };
                if let Some(prev) = self.keys.last()
                    && cmp_ignore_case(prev.name, name).is_ge()
                {
                    return self.err("condition keys out of order");
                }
                self.keys.push(KeyData {
                    name,
                    key_type,
                    pattern: compile_key(name),
                });
            }
            "S" => {
                let (Some(prefix), Some(name)) = (next(), next()) else {
                    return self.err("S needs prefix and name");
                };
                if let Some(prev) = self.services.last()
                    && cmp_ignore_case(prev.prefix, prefix).is_ge()
                {
                    return self.err("services out of order");
                }
                let (a, r) = (self.actions.len() as u32, self.resource_types.len() as u32);
                self.services.push(ServiceData {
                    prefix,
                    name,
                    actions: Span { start: a, end: a },
                    resource_types: Span { start: r, end: r },
                });
            }
            "R" => {
                let (Some(name), Some(templates), Some(keys)) = (next(), next(), next()) else {
                    return self.err("R needs name, templates, keys");
                };
                let service = self.current_service()?;
                let keys = self.key_list(keys, b',')?;
                self.resource_types.push(ResourceTypeData {
                    name,
                    service,
                    templates,
                    keys,
                    matchers: Default::default(),
                });
                self.services[service as usize].resource_types.end += 1;
            }
            "" => {}
            other => return self.err(format!("unknown line kind {other:?}")),
        }
        Ok(())
    }

    /// Reads the rest of an `A` line: name, access, resource types, keys.
    fn action(&mut self, cur: &mut Cursor) -> Result<(), Diagnostic> {
        let service = self.current_service()?;
        let name = cur.field();
        if !cur.eat(b'\t') {
            return self.err("A needs name, access, resource types, keys");
        }
        let access = cur.field();
        let Some(access) = AccessLevel::from_code(access) else {
            return self.err(format!("unknown access level {access:?}"));
        };
        if !cur.eat(b'\t') {
            return self.err("A needs resource types and keys");
        }
        let svc = &self.services[service as usize];
        let (rt_base, rt_end) = (svc.resource_types.start, svc.resource_types.end);
        let start = self.action_rts.len() as u32;
        if cur.peek() != Some(b'\t') {
            loop {
                let Some(local) = cur.number() else {
                    return self.err("bad resource type reference");
                };
                if local >= rt_end - rt_base {
                    return self.err(format!("resource type {local} out of range"));
                }
                let required = cur.eat(b'*');
                let keys_start = self.key_refs.len() as u32;
                if cur.eat(b'/') {
                    loop {
                        self.key_ref(cur.number())?;
                        if !cur.eat(b'.') {
                            break;
                        }
                    }
                }
                self.action_rts.push(ActionRtData {
                    resource_type: rt_base + local,
                    required,
                    keys: Span {
                        start: keys_start,
                        end: self.key_refs.len() as u32,
                    },
                });
                if !cur.eat(b',') {
                    break;
                }
            }
        }
        let resource_types = Span {
            start,
            end: self.action_rts.len() as u32,
        };
        if !cur.eat(b'\t') {
            return self.err("A needs keys after resource types");
        }
        let keys_start = self.key_refs.len() as u32;
        if !matches!(cur.peek(), None | Some(b'\n')) {
            loop {
                self.key_ref(cur.number())?;
                if !cur.eat(b',') {
                    break;
                }
            }
        }
        if !cur.eat(b'\n') && cur.peek().is_some() {
            return self.err("unexpected text at the end of an A line");
        }
        let keys = Span {
            start: keys_start,
            end: self.key_refs.len() as u32,
        };
        let own = self.services[service as usize].actions;
        if let Some(prev) = self.actions[own.range()].last()
            && cmp_ignore_case(prev.name, name).is_ge()
        {
            return self.err("actions out of order");
        }
        self.services[service as usize].actions.end += 1;
        self.actions.push(ActionData {
            name,
            service,
            access,
            resource_types,
            keys,
        });
        Ok(())
    }

    /// Appends one key reference read by the cursor.
    fn key_ref(&mut self, idx: Option<u32>) -> Result<(), Diagnostic> {
        match idx {
            Some(idx) if (idx as usize) < self.keys.len() => {
                self.key_refs.push(idx);
                Ok(())
            }
            _ => self.err("bad condition key reference"),
        }
    }

    fn current_service(&self) -> Result<u32, Diagnostic> {
        match self.services.len() {
            0 => self.err("entry before any service"),
            n => Ok(n as u32 - 1),
        }
    }

    /// Parses `sep`-separated key indices into `key_refs`.
    fn key_list(&mut self, list: &'static str, sep: u8) -> Result<Span, Diagnostic> {
        let start = self.key_refs.len() as u32;
        for item in Split::new(list, sep).filter(|s| !s.is_empty()) {
            match parse_u32(item) {
                Some(idx) if (idx as usize) < self.keys.len() => self.key_refs.push(idx),
                _ => return self.err(format!("bad condition key reference {item:?}")),
            }
        }
        Ok(Span {
            start,
            end: self.key_refs.len() as u32,
        })
    }

    fn finish(self) -> Result<Catalog, Diagnostic> {
        let Some(source) = self.source else {
            return self.err("no V line");
        };
        let key_index = KeyIndex::build(&self.keys);
        Ok(Catalog {
            source,
            services: self.services,
            actions: self.actions,
            resource_types: self.resource_types,
            action_rts: self.action_rts,
            key_refs: self.key_refs,
            keys: self.keys,
            key_index,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn rejects_bad_input_without_panicking() {
        assert!(parse("").is_err());
        assert!(parse("nonsense\n").is_err());
        let base = "iamwhy-catalog\t1\nV\tp\t1\t2026-01-01T00:00:00Z\nK\ta:B\tString\n";
        assert!(parse(base).is_ok());
        for tail in [
            "A\tX\tR\t\t\n",                       // action before service
            "S\ts\tS\nA\tX\tQ\t\t\n",              // bad access
            "S\ts\tS\nA\tX\tR\t0\t\n",             // resource type out of range
            "S\ts\tS\nA\tX\tR\t\t7\n",             // key out of range
            "K\ta:A\tString\n",                    // keys out of order
            "K\tb:B\tWeird\n",                     // unknown type
            "S\ts\tS\nR\tr\tarn:x\tz\n",           // bad key list
            "S\ts\tS\nA\tB\tR\t\t\nA\ta\tR\t\t\n", // actions out of order
        ] {
            let text: &'static str = Box::leak(format!("{base}{tail}").into_boxed_str());
            assert!(parse(text).is_err(), "accepted {tail:?}");
        }
    }

    #[test]
    fn parses_a_small_catalog() {
        let text = "iamwhy-catalog\t1\nV\tp\t1\t2026-01-01T00:00:00Z\n\
                    K\tx:Key\tArrayOfString\nS\tx\tX Service\n\
                    R\tthing\tarn:${Partition}:x:::${Name}\t0\n\
                    A\tDoIt\tW\t0*/0\t0\nA\tList\tL\t\t\n";
        let cat = parse(text).expect("parses");
        let a = cat.action("X:doit").expect("found");
        assert_eq!(a.to_string(), "x:DoIt");
        assert!(a.resource_types().next().expect("one").required());
        assert!(cat.action("x:List").expect("found").is_wildcard_only());
        assert_eq!(cat.is_multivalued("x:key"), Some(true));
    }
}
