//! The policy parser against serde_json: it accepts exactly the JSON serde_json accepts, every
//! value it keeps is the value serde_json reads, and every span covers that value's text.

use iamwhy_policy::{PolicyDocument, PrincipalValue, Spanned};
use proptest::prelude::*;
use serde_json::{Value, json};

/// serde_json's reading of the text a span covers.
fn json_at(doc: &PolicyDocument, span: iamwhy_diagnostic::Span) -> Value {
    serde_json::from_str(doc.text(span)).unwrap_or_else(|e| {
        panic!("span {span:?} covers {:?}: {e}", doc.text(span));
    })
}

fn strings(values: &[Spanned<String>]) -> Vec<String> {
    values.iter().map(|v| v.value.clone()).collect()
}

/// A scalar or list of strings as a list.
fn listed(v: &Value) -> Vec<String> {
    match v {
        Value::Array(a) => a.iter().map(scalar_text).collect(),
        other => vec![scalar_text(other)],
    }
}

fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Check every kept value and span of `doc` against serde_json's reading of `text`.
fn agrees_with_serde(text: &str, doc: &PolicyDocument) {
    let whole: Value = serde_json::from_str(text).unwrap();
    assert_eq!(json_at(doc, doc.span), whole);
    let statements = match &whole["Statement"] {
        Value::Array(a) => a.clone(),
        one => vec![one.clone()],
    };
    assert_eq!(json_at(doc, doc.statement_span), whole["Statement"]);
    assert_eq!(doc.statements().len(), statements.len());
    for (s, expected) in doc.statements().iter().zip(&statements) {
        assert_eq!(json_at(doc, s.span), *expected);
        assert_eq!(
            s.sid.as_ref().map(|x| x.value.as_str()),
            expected["Sid"].as_str()
        );
        assert_eq!(s.effect.value.to_string(), expected["Effect"]);
        assert_eq!(json_at(doc, s.effect.span), expected["Effect"]);
        let (key, negated) = if s.action.negated {
            ("NotAction", true)
        } else {
            ("Action", false)
        };
        assert_eq!(s.action.negated, negated);
        assert_eq!(strings(&s.action.values), listed(&expected[key]));
        assert_eq!(json_at(doc, s.action.span), expected[key]);
        for v in &s.action.values {
            assert_eq!(json_at(doc, v.span), Value::String(v.value.clone()));
        }
        // The key span covers `"Action": value`.
        let member = doc.text(s.action.key_span);
        assert!(member.starts_with(&format!("\"{key}\"")), "{member}");
        if let Some(r) = &s.resource {
            let key = if r.negated { "NotResource" } else { "Resource" };
            assert_eq!(strings(&r.values), listed(&expected[key]));
            assert_eq!(json_at(doc, r.span), expected[key]);
        }
        if let Some(p) = &s.principal {
            assert_eq!(json_at(doc, p.span), expected["Principal"]);
            if let PrincipalValue::Map(entries) = &p.value {
                for e in entries {
                    assert_eq!(
                        strings(&e.values),
                        listed(&expected["Principal"][e.kind.as_str()])
                    );
                }
            }
        }
        if let Some(c) = &s.condition {
            assert_eq!(json_at(doc, c.span), expected["Condition"]);
            for b in &c.blocks {
                for e in &b.entries {
                    let v = &expected["Condition"][&b.operator.value][&e.key.value];
                    let expected_values = match v {
                        Value::Array(a) => a.clone(),
                        one => vec![one.clone()],
                    };
                    assert_eq!(e.values.len(), expected_values.len());
                    for (value, expected) in e.values.iter().zip(&expected_values) {
                        // Numbers keep their text; serde_json reads it as the same number.
                        let read = match expected {
                            Value::String(_) => Value::String(value.value.clone()),
                            _ => serde_json::from_str(&value.value).unwrap(),
                        };
                        assert_eq!(&read, expected);
                        assert_eq!(json_at(doc, value.span), *expected);
                    }
                    assert_eq!(json_at(doc, e.span), *v);
                }
            }
        }
    }
}

/// Strings with the characters policies hold, escapes and non-ASCII text among them.
fn text() -> impl Strategy<Value = String> {
    proptest::string::string_regex("[a-zA-Z0-9:*?/$._{}\"\\\\é€😀 \t\n-]{0,12}").unwrap()
}

fn string_or_list() -> impl Strategy<Value = Value> {
    prop_oneof![
        text().prop_map(Value::String),
        prop::collection::vec(text().prop_map(Value::String), 0..4).prop_map(Value::Array),
    ]
}

fn condition_value() -> impl Strategy<Value = Value> {
    let scalar = prop_oneof![
        text().prop_map(Value::String),
        any::<i32>().prop_map(|n| json!(n)),
        any::<bool>().prop_map(Value::Bool),
        (-1000.0f64..1000.0).prop_map(|f| json!(f)),
    ];
    prop_oneof![
        scalar.clone(),
        prop::collection::vec(scalar, 0..3).prop_map(Value::Array)
    ]
}

fn statement() -> impl Strategy<Value = Value> {
    (
        proptest::option::of(text()),
        any::<bool>(),
        any::<bool>(),
        string_or_list(),
        proptest::option::of(string_or_list()),
        proptest::option::of(string_or_list()),
        prop::collection::btree_map(
            "[A-Za-z]{1,8}",
            prop::collection::btree_map("[a-z:/]{1,8}", condition_value(), 1..3),
            0..3,
        ),
    )
        .prop_map(|(sid, deny, not_action, actions, resources, aws, cond)| {
            let mut s = serde_json::Map::new();
            if let Some(sid) = sid {
                s.insert("Sid".into(), json!(sid));
            }
            s.insert("Effect".into(), json!(if deny { "Deny" } else { "Allow" }));
            s.insert(
                if not_action { "NotAction" } else { "Action" }.into(),
                actions,
            );
            if let Some(r) = resources {
                s.insert("Resource".into(), r);
            }
            if let Some(aws) = aws {
                s.insert("Principal".into(), json!({ "AWS": aws }));
            }
            if !cond.is_empty() {
                s.insert("Condition".into(), json!(cond));
            }
            Value::Object(s)
        })
}

fn document() -> impl Strategy<Value = Value> {
    prop_oneof![
        statement().prop_map(|s| json!({"Version": "2012-10-17", "Statement": s})),
        prop::collection::vec(statement(), 0..4)
            .prop_map(|s| json!({"Version": "2012-10-17", "Statement": s})),
    ]
}

/// `doc` as JSON text, pretty-printed or on one line.
fn json_text(doc: &Value, pretty: bool) -> String {
    if pretty {
        serde_json::to_string_pretty(doc).unwrap()
    } else {
        serde_json::to_string(doc).unwrap()
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Every value and span the parser keeps is what serde_json reads, pretty or minified.
    #[test]
    fn parsed_values_and_spans_agree_with_serde_json(doc in document(), pretty in any::<bool>()) {
        let text = json_text(&doc, pretty);
        let parsed = PolicyDocument::parse(&text).unwrap();
        agrees_with_serde(&text, &parsed);
    }

    /// The statements handed over with borrowed strings are the owned tree's, value for
    /// value and span for span; the document comes back released and reads the same tree.
    #[test]
    fn borrowed_statements_are_the_owned_statements(doc in document(), pretty in any::<bool>()) {
        let text = json_text(&doc, pretty);
        let owned = PolicyDocument::parse(&text).unwrap();
        let (released, borrowed) =
            PolicyDocument::parse_with_statements(&text, |_, s| format!("{s:?}")).unwrap();
        // `Cow`'s Debug prints the string as `String`'s does.
        prop_assert_eq!(&borrowed, &format!("{:?}", owned.statements()));
        prop_assert_eq!(format!("{:?}", released.statements()), borrowed);
    }

    /// A document embedded in a larger JSON text and read in place is the document of its
    /// own text: same statements, values and spans (relative to its first character), and
    /// the reader goes on after it.
    #[test]
    fn an_embedded_document_reads_as_its_own_text(
        doc in document(),
        pretty in any::<bool>(),
        before in prop::collection::vec(any::<u8>(), 0..3),
    ) {
        let text = json_text(&doc, pretty);
        let line = format!(
            "{{\"before\": {before:?}, \"policy\":  {text} , \"after\": [\"x\"]}}"
        );
        let mut r = iamwhy_policy::json::Reader::new(&line);
        r.begin_object().unwrap();
        let mut embedded = None;
        while let Some(key) = r.next_key().unwrap() {
            if key.name == "policy" {
                embedded = Some(
                    PolicyDocument::read_with_statements(&mut r, |_, s| format!("{s:?}"))
                        .unwrap(),
                );
            } else {
                r.skip_value().unwrap();
            }
        }
        r.finish().unwrap();
        let (doc, statements) = embedded.unwrap();
        let own = PolicyDocument::parse(&text).unwrap();
        prop_assert_eq!(&*doc.source, text.as_str());
        prop_assert_eq!(&statements, &format!("{:?}", own.statements()));
        prop_assert_eq!(format!("{:?}", doc.statements()), statements);
        agrees_with_serde(&text, &doc);
    }

    /// A text with bytes changed is invalid JSON for the parser exactly when serde_json
    /// rejects it.
    #[test]
    fn the_parser_accepts_exactly_the_json_serde_json_accepts(
        doc in document(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), prop::sample::select(vec![
            "", ",", ":", "{", "}", "[", "]", "\"", "\\", "\\u12", "\\ud800", "0", "-", ".", "e",
            "01", "true", "nul", " ", "\n", "\u{1}", "é", "//", "1e", "+1", "\\x",
        ])), 1..3),
    ) {
        let mut text = serde_json::to_string(&doc).unwrap();
        for (at, insert) in edits {
            let mut i = at.index(text.len() + 1);
            while !text.is_char_boundary(i) {
                i -= 1;
            }
            // Replace the character at `i` (or append at the end).
            let end = text[i..].chars().next().map_or(i, |c| i + c.len_utf8());
            text.replace_range(i..end, insert);
        }
        let trimmed = text.trim();
        // Texts that start like a JSON-string or URL-encoded policy are decoded first.
        prop_assume!(!trimmed.is_empty() && !trimmed.starts_with('"') && !trimmed.starts_with('%'));
        let serde = serde_json::from_str::<Value>(&text);
        // JSON's grammar has no bound on a number; serde_json refuses those past f64 (a
        // condition value keeps the number's text, so the parser need not).
        prop_assume!(!matches!(&serde, Err(e) if e.to_string().contains("number out of range")));
        let serde_ok = serde.is_ok();
        let ours = PolicyDocument::parse(&text);
        let invalid_json = matches!(&ours, Err(e) if e.diagnostics[0].code == "invalid-json");
        prop_assert_eq!(!invalid_json, serde_ok, "{:?}: {:?}", text, ours.err());
        if let Ok(parsed) = ours {
            agrees_with_serde(&text, &parsed);
        }
    }
}

/// Each structural problem: its code and where (line:column) it is reported.
#[test]
fn structural_problems_are_located() {
    let cases: &[(&str, &str, &str)] = &[
        ("[]", "not-an-object", "1:1"),
        ("  ", "empty-document", "1:1"),
        ("{\"Version\":\"2012-10-17\"}", "missing-statement", "1:1"),
        (
            "{\"Statement\":{\"Effect\":\"Allow\",\n \"Effect\":\"Deny\",\"Action\":\"*\"}}",
            "duplicate-key",
            "2:2",
        ),
        (
            "{\"Statement\":{\"Effect\":\"allow\",\"Action\":\"*\"}}",
            "invalid-effect",
            "1:24",
        ),
        (
            "{\"Statement\":[{\"Effect\":\"Allow\"}]}",
            "missing-action",
            "1:15",
        ),
        (
            "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"NotAction\":\"s3:*\"}}",
            "conflicting-elements",
            "1:45",
        ),
        (
            "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":[\"a\",1]}}",
            "wrong-type",
            "1:46",
        ),
        (
            "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Principal\":{\"Aws\":\"*\"}}}",
            "invalid-principal",
            "1:58",
        ),
        (
            "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Condition\":{\"Bool\":{\"k\":1,\"k\":2}}}}",
            "duplicate-key",
            "1:72",
        ),
        (
            "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Condition\":{\"Null\":{\"k\":null}}}}",
            "wrong-type",
            "1:70",
        ),
        (
            "{\"Statement\":{\"Effect\":\"Allow\",\"action\":\"*\"}}",
            "unknown-element",
            "1:32",
        ),
        ("{\"Statement\": [1,]}", "invalid-json", "1:17"),
        ("{\"Statement\": [\n  \"é\" x]}", "invalid-json", "2:7"),
        (
            "{\"Version\":\"2012-10-18\",\"Statement\":[]}",
            "invalid-version",
            "1:12",
        ),
    ];
    for (text, code, at) in cases {
        let e = PolicyDocument::parse(text).unwrap_err();
        let d = &e.diagnostics[0];
        assert_eq!(
            (d.code, d.position().unwrap().to_string()),
            (*code, at.to_string()),
            "{text}: {e}"
        );
    }
}

/// A duplicate key is reported, and does not hide that the statement lacks an Action.
#[test]
fn a_duplicate_statement_key_does_not_hide_a_missing_action() {
    let e =
        PolicyDocument::parse(r#"{"Statement":{"Effect":"Allow","Effect":"Allow"}}"#).unwrap_err();
    let codes: Vec<&str> = e.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(codes, ["missing-action", "duplicate-key"]);
}

/// An object with many keys finds its duplicates by a set (no scan per key).
#[test]
fn duplicates_among_many_condition_keys_are_all_found() {
    let mut keys: Vec<String> = (0..100).map(|i| format!("\"k{i}\":\"v\"")).collect();
    keys.push("\"k7\":\"w\"".into());
    keys.push("\"k99\":\"w\"".into());
    let text = format!(
        r#"{{"Statement":{{"Effect":"Allow","Action":"*","Condition":{{"StringEquals":{{{}}}}}}}}}"#,
        keys.join(",")
    );
    let e = PolicyDocument::parse(&text).unwrap_err();
    let messages: Vec<String> = e.diagnostics.iter().map(|d| d.message.clone()).collect();
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert!(messages[0].starts_with("\"k7\" appears more than once"));
    assert!(messages[1].starts_with("\"k99\" appears more than once"));
}

/// Keys are compared after unescaping, as IAM reads them.
#[test]
fn an_escaped_key_is_the_key_it_spells() {
    let doc =
        PolicyDocument::parse(r#"{"Statement":{"Eff\u0065ct":"Allow","Action":"s3:Get\u002A"}}"#)
            .unwrap();
    assert_eq!(doc.statements()[0].action.values[0].value, "s3:Get*");
    let e = PolicyDocument::parse(
        r#"{"Statement":{"Effect":"Allow","Eff\u0065ct":"Deny","Action":"*"}}"#,
    )
    .unwrap_err();
    assert_eq!(e.diagnostics[0].code, "duplicate-key");
}

/// A released statement tree is read back from the source: the same statements, values and
/// spans.
#[test]
fn released_statements_are_read_back_the_same() {
    let text = "{\"Version\":\"2012-10-17\",\"Statement\":[\n {\"Sid\":\"é\",\"Effect\":\"Allow\",\"Action\":[\"s3:Get*\"],\"Resource\":\"*\",\"Condition\":{\"Bool\":{\"aws:SecureTransport\":true}}},\n {\"Effect\":\"Deny\",\"NotAction\":\"iam:*\",\"Resource\":\"*\"}]}";
    let doc = PolicyDocument::parse(text).unwrap();
    let before = format!("{:?}", doc.statements());
    let mut released = doc.clone();
    released.release_statements();
    assert_eq!(format!("{:?}", released.statements()), before);
    agrees_with_serde(text, &released);
}

/// An embedded document's errors are located from its own first character, and a document
/// given as a JSON string inside the larger text is read as its text.
#[test]
fn an_embedded_document_is_located_from_its_start_and_may_be_a_string() {
    use iamwhy_policy::json::Reader;
    let line = r#"{"policy": {"Statement": {"Effect": "Allow"}}}"#;
    let mut r = Reader::new(line);
    r.begin_object().unwrap();
    r.next_key().unwrap();
    let e = PolicyDocument::read_with_statements(&mut r, |_, _| ()).unwrap_err();
    assert_eq!(e.diagnostics[0].code, "missing-action");
    let p = e.diagnostics[0].position().unwrap();
    assert_eq!((p.line, p.column), (1, 15), "{e}");

    let line =
        r#"["{\"Statement\":{\"Effect\":\"Deny\",\"Action\":\"*\",\"Resource\":\"*\"}}", 1]"#;
    let mut r = Reader::new(line);
    r.begin_array().unwrap();
    assert!(r.next_element().unwrap());
    let (doc, n) = PolicyDocument::read_with_statements(&mut r, |_, s| s.len()).unwrap();
    assert_eq!(n, 1);
    assert!(doc.source.starts_with(r#"{"Statement""#), "{}", doc.source);
    assert!(r.next_element().unwrap());
    r.skip_value().unwrap();
    assert!(!r.next_element().unwrap());

    let line = r#"{"policy": {"Statement": [}"#;
    let mut r = Reader::new(line);
    r.begin_object().unwrap();
    r.next_key().unwrap();
    let e = PolicyDocument::read_with_statements(&mut r, |_, _| ()).unwrap_err();
    assert_eq!(e.diagnostics[0].code, "invalid-json");
}
