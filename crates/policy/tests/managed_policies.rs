//! Every AWS managed policy (the copy embedded in iamwhy-managed-policies, generated from the
//! same package version as ../shared/corpus) parses and validates as an identity policy with
//! zero errors, and statement positions are exact.

use iamwhy_diagnostic::Position;
use iamwhy_policy::validate::validate;
use iamwhy_policy::{PolicyDocument, PolicyType};

/// `{ARN: {"document": ...}}`, like the shared corpus, from the embedded copy.
fn corpus() -> serde_json::Map<String, serde_json::Value> {
    iamwhy_managed_policies::embedded()
        .iter()
        .map(|p| {
            let doc: serde_json::Value =
                serde_json::from_str(p.document).expect("embedded documents are JSON");
            (p.arn.to_string(), serde_json::json!({ "document": doc }))
        })
        .collect()
}

/// The document as the pretty JSON text the tests parse (serde_json sorts keys).
fn pretty(entry: &serde_json::Value) -> String {
    serde_json::to_string_pretty(&entry["document"]).unwrap()
}

#[test]
fn every_aws_managed_policy_validates_as_identity_policy_with_zero_errors() {
    let corpus = corpus();
    assert!(
        corpus.len() >= 1500,
        "expected the full corpus, got {}",
        corpus.len()
    );
    let mut failures = Vec::new();
    let mut statements = 0usize;
    for (arn, entry) in &corpus {
        let text = pretty(entry);
        match PolicyDocument::parse(&text) {
            Ok(doc) => {
                statements += doc.statements().len();
                let errors: Vec<_> = validate(&doc, PolicyType::Identity)
                    .into_iter()
                    .filter(|d| d.is_error())
                    .collect();
                if !errors.is_empty() {
                    failures.push(format!("{arn}: {}", errors[0]));
                }
            }
            Err(e) => failures.push(format!("{arn}: {e}")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} managed policies failed, first: {:#?}",
        failures.len(),
        corpus.len(),
        &failures[..failures.len().min(10)]
    );
    assert!(statements > 5000, "statements parsed: {statements}");
}

#[test]
fn statement_positions_in_a_managed_policy_are_exact() {
    let corpus = corpus();
    // The text pinned here (keys sorted, two-space indent), so the positions below do not
    // depend on how serde_json orders keys; it must still be the corpus's document.
    let text = r#"{
  "Statement": [
    {
      "Action": [
        "s3:Get*",
        "s3:List*",
        "s3:Describe*",
        "s3-object-lambda:Get*",
        "s3-object-lambda:List*"
      ],
      "Effect": "Allow",
      "Resource": "*"
    }
  ],
  "Version": "2012-10-17"
}"#;
    let pinned: serde_json::Value = serde_json::from_str(text).unwrap();
    assert_eq!(
        pinned,
        corpus["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"]["document"]
    );
    let doc = PolicyDocument::parse(text).unwrap();
    let s = &doc.statements()[0];
    assert_eq!(doc.range(s.span).0, Position { line: 3, column: 5 });
    assert_eq!(
        doc.range(s.span).1,
        Position {
            line: 13,
            column: 6
        }
    );
    assert_eq!(
        doc.position(s.action.values[0].span.start),
        Position { line: 5, column: 9 }
    );
    assert_eq!(
        doc.position(s.effect.span.start),
        Position {
            line: 11,
            column: 17
        }
    );
    assert!(doc.text(s.span).starts_with('{') && doc.text(s.span).ends_with('}'));
}

#[test]
fn positions_of_statements_in_a_multi_statement_policy() {
    let corpus = corpus();
    let entry = &corpus["arn:aws:iam::aws:policy/IAMUserChangePassword"];
    let text = pretty(entry);
    let doc = PolicyDocument::parse(&text).unwrap();
    assert_eq!(doc.statements().len(), 2);
    for s in doc.statements() {
        let (start, _) = doc.range(s.span);
        let line = text.lines().nth(start.line as usize - 1).unwrap();
        assert_eq!(line.chars().nth(start.column as usize - 1), Some('{'));
    }
    // The second statement's Resource value sits on a line of its own.
    let (start, end) = doc.range(doc.statements()[1].span);
    assert!(start.line < end.line);
}

/// Inputs found by fuzzing (fuzz/reproducers/): multi-byte characters where the code compared
/// fixed byte prefixes. Each must give located diagnostics, never a panic.
#[test]
fn fuzz_reproducers_parse_and_validate_without_panicking() {
    for text in [
        r#"{"Statement":{"Effect":"Deny","Action":"*","Resource":"abcé"}}"#,
        r#"{"Statement":{"Effect":"Deny","Action":"*","Condition":{"ForAllValueé":{}}}}"#,
        "abé",
    ] {
        for ty in PolicyType::ALL {
            let _ = iamwhy_policy::validate::check(text, ty);
        }
    }
    let d = iamwhy_policy::validate::check(
        r#"{"Statement":{"Effect":"Deny","Action":"*","Condition":{"ForAllValueé":{}}}}"#,
        PolicyType::Identity,
    );
    assert!(
        d.iter()
            .any(|d| d.message.contains("is not a condition operator")),
        "{d:?}"
    );
}
