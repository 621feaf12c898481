//! Every check documented in docs/lint.md, and every example there run: each failing example
//! must produce its code, each passing example must not. The documentation and the checks
//! cannot drift apart: a rule without a section, a section without a rule, a wrong finding
//! type or a missing example fails here.

use iamwhy_lint::{FindingType, Linter, PolicyContext, RULES, resource_type, rule};
use iamwhy_policy::PolicyType;
use std::collections::{BTreeMap, BTreeSet};

struct Example {
    fails: bool,
    policy_type: PolicyType,
    resource_type: Option<String>,
    accounts: Option<BTreeSet<String>>,
    text: String,
    line: usize,
}

struct Section {
    heading_type: Option<String>,
    examples: Vec<Example>,
}

fn docs() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/lint.md");
    std::fs::read_to_string(path).expect("docs/lint.md is part of the repository")
}

fn sections(text: &str) -> BTreeMap<String, Section> {
    let mut out: BTreeMap<String, Section> = BTreeMap::new();
    let mut current: Option<String> = None;
    let mut lines = text.lines().enumerate().peekable();
    while let Some((n, line)) = lines.next() {
        if let Some(rest) = line.strip_prefix("### `") {
            let code = rest.trim_end_matches('`').to_string();
            assert!(
                out.insert(
                    code.clone(),
                    Section {
                        heading_type: None,
                        examples: Vec::new()
                    }
                )
                .is_none(),
                "docs/lint.md documents {code} twice"
            );
            current = Some(code);
            continue;
        }
        if line.starts_with("## ") {
            current = None;
            continue;
        }
        let Some(code) = &current else { continue };
        let section = out.get_mut(code).unwrap();
        if section.heading_type.is_none()
            && let Some(rest) = line.strip_prefix("**")
        {
            section.heading_type = rest.split("**").next().map(str::to_string);
        }
        if let Some(info) = line.strip_prefix("```json ") {
            let mut words = info.split_whitespace();
            let fails = match words.next() {
                Some("fail") => true,
                Some("pass") => false,
                other => panic!(
                    "docs/lint.md:{}: json block marked {other:?}, expected fail or pass",
                    n + 1
                ),
            };
            let mut ex = Example {
                fails,
                policy_type: PolicyType::Identity,
                resource_type: None,
                accounts: None,
                text: String::new(),
                line: n + 1,
            };
            for w in words {
                let (k, v) = w
                    .split_once('=')
                    .unwrap_or_else(|| panic!("docs/lint.md:{}: bad attribute {w}", n + 1));
                match k {
                    "type" => {
                        ex.policy_type = PolicyType::from_name(v)
                            .unwrap_or_else(|| panic!("docs/lint.md:{}: bad type {v}", n + 1))
                    }
                    "resource-type" => ex.resource_type = Some(v.to_string()),
                    "accounts" => ex.accounts = Some(v.split(',').map(str::to_string).collect()),
                    _ => panic!("docs/lint.md:{}: unknown attribute {k}", n + 1),
                }
            }
            for (_, l) in lines.by_ref() {
                if l.starts_with("```") {
                    break;
                }
                ex.text.push_str(l);
                ex.text.push('\n');
            }
            section.examples.push(ex);
        }
    }
    out
}

#[test]
fn every_rule_is_documented_with_its_type_and_examples_and_nothing_else_is() {
    let docs = docs();
    let sections = sections(&docs);
    let documented: BTreeSet<&str> = sections.keys().map(String::as_str).collect();
    let rules: BTreeSet<&str> = RULES.iter().map(|r| r.code).collect();
    let missing: Vec<_> = rules.difference(&documented).collect();
    let extra: Vec<_> = documented.difference(&rules).collect();
    assert!(
        missing.is_empty(),
        "rules without a section in docs/lint.md: {missing:?}"
    );
    assert!(
        extra.is_empty(),
        "sections of docs/lint.md without a rule: {extra:?}"
    );
    for (code, s) in &sections {
        let r = rule(code).unwrap();
        assert_eq!(
            s.heading_type.as_deref(),
            Some(r.finding_type.heading()),
            "{code}: docs/lint.md gives the wrong finding type"
        );
        assert!(
            s.examples.iter().any(|e| e.fails),
            "{code}: no failing example"
        );
        assert!(
            s.examples.iter().any(|e| !e.fails),
            "{code}: no passing example"
        );
    }
    assert!(
        RULES.len() >= 60,
        "at least 60 checks, have {}",
        RULES.len()
    );
    for t in FindingType::ALL {
        assert!(RULES.iter().any(|r| r.finding_type == t), "no {t} check");
    }
}

#[test]
fn every_documented_example_fails_or_passes_as_documented() {
    let docs = docs();
    let linter = Linter::new();
    let mut problems = Vec::new();
    let mut ran = 0;
    for (code, s) in sections(&docs) {
        for ex in &s.examples {
            let rt = ex.resource_type.as_deref().map(|n| {
                resource_type(n).unwrap_or_else(|| {
                    panic!("docs/lint.md:{}: unknown resource type {n}", ex.line)
                })
            });
            let ctx = PolicyContext {
                policy_type: ex.policy_type,
                resource_type: rt,
                known_accounts: ex.accounts.as_ref(),
            };
            let findings = linter.lint_text(&ex.text, ctx);
            let hit = findings.iter().any(|f| f.code() == code);
            ran += 1;
            if hit != ex.fails {
                let got: Vec<String> = findings
                    .iter()
                    .map(|f| format!("{} ({})", f.code(), f.details))
                    .collect();
                problems.push(format!(
                    "docs/lint.md:{}: {code} {} example {}; findings: {got:#?}",
                    ex.line,
                    if ex.fails { "failing" } else { "passing" },
                    if ex.fails {
                        "did not produce it"
                    } else {
                        "produced it"
                    },
                ));
            }
        }
    }
    assert!(ran >= 2 * RULES.len(), "ran {ran} examples");
    assert!(
        problems.is_empty(),
        "{} example(s) wrong:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn passing_examples_have_no_error_of_any_code() {
    let docs = docs();
    let linter = Linter::new();
    let mut problems = Vec::new();
    for (code, s) in sections(&docs) {
        for ex in s.examples.iter().filter(|e| !e.fails) {
            let rt = ex.resource_type.as_deref().and_then(resource_type);
            let ctx = PolicyContext {
                policy_type: ex.policy_type,
                resource_type: rt,
                known_accounts: ex.accounts.as_ref(),
            };
            for f in linter.lint_text(&ex.text, ctx) {
                if f.finding_type() == FindingType::Error {
                    problems.push(format!(
                        "docs/lint.md:{}: {code}'s passing example has {}: {}",
                        ex.line,
                        f.code(),
                        f.details
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
