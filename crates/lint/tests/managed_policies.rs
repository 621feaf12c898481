//! Every AWS managed policy (1,594 of them) linted as an identity policy. Prints the number of
//! findings per code (docs/lint.md reports them), and fails when an ERROR fires on a managed
//! policy unless that policy is in the list of real errors below, each checked by hand.
//!
//! The corpus is the one embedded in the tree (`iamwhy_managed_policies::embedded()`, generated
//! by tools/gen-managed-policies from the AWS managed policies, with its licence beside it), so a
//! fresh clone runs this test in full.

use iamwhy_lint::{FindingType, Linter, PolicyContext};
use iamwhy_policy::PolicyType;
use std::collections::BTreeMap;

/// One managed policy: name, date of its last update (`YYYY-MM-DD`), pretty JSON text.
struct Managed {
    name: String,
    updated: String,
    text: String,
}

/// Every embedded AWS managed policy, its document pretty-printed (as IAM's console shows it,
/// so findings have lines and columns worth reading).
fn corpus() -> Vec<Managed> {
    iamwhy_managed_policies::embedded()
        .iter()
        .map(|m| {
            let doc: serde_json::Value =
                serde_json::from_str(m.document).expect("embedded document is JSON");
            Managed {
                name: m.name.to_string(),
                updated: m.updated.chars().take(10).collect(),
                text: serde_json::to_string_pretty(&doc).expect("a JSON value prints"),
            }
        })
        .collect()
}

/// ARNs in AWS managed policies that fit no resource type of the service catalog although the
/// catalog knows their resource type: real errors, checked by hand (docs/lint.md names them).
const REAL_ARN_ERRORS: &[(&str, &str, &str)] = &[
    (
        "AWSElasticBeanstalkRoleCore",
        "listener/awseb-*",
        "load balancer listener ARNs are listener/app|net|gwy/NAME/ID/LISTENER",
    ),
    (
        "AdministratorAccess-AWSElasticBeanstalk",
        "listener/awseb-*",
        "load balancer listener ARNs are listener/app|net|gwy/NAME/ID/LISTENER",
    ),
    (
        "AdministratorAccess-AWSElasticBeanstalk",
        "listener/eb-*",
        "load balancer listener ARNs are listener/app|net|gwy/NAME/ID/LISTENER",
    ),
    (
        "AWSManagedServices_DetectiveControlsConfig_ServiceRolePolicy",
        "stack/ams-detective-controls-",
        "stack ARNs end in /STACK-ID, and these have no /*",
    ),
    (
        "AWSMigrationHubRefactorSpaces-EnvironmentsWithoutBridgesFullAccess",
        "::/tags",
        "API Gateway tag ARNs are /tags/RESOURCE-ARN",
    ),
    (
        "AWSMigrationHubRefactorSpacesFullAccess",
        "::/tags",
        "API Gateway tag ARNs are /tags/RESOURCE-ARN",
    ),
    (
        "AWSMigrationHubRefactorSpacesServiceRolePolicy",
        "::/tags",
        "API Gateway tag ARNs are /tags/RESOURCE-ARN",
    ),
    (
        "AmazonConnectServiceLinkedRolePolicy",
        ":/domains/",
        "Customer Profiles domain ARNs are domains/NAME, without a leading /",
    ),
    (
        "AmazonSageMakerHyperPodObservabilityAdminAccess",
        "grafana:*:*:/workspaces",
        "Grafana workspace ARNs are /workspaces/ID",
    ),
];

/// Whether an ERROR finding on a managed policy is a real error, and why.
fn real_error(m: &Managed, code: &str, at: &str) -> Option<&'static str> {
    match code {
        // The catalog is newer than the policy: the action, service or key was retired or
        // renamed since (or never existed); it matches nothing today.
        "INVALID_SERVICE_IN_ACTION"
        | "INVALID_ACTION"
        | "IAMWHY_ACTION_MATCHES_NOTHING"
        | "INVALID_SERVICE_CONDITION_KEY"
            if m.updated.as_str() < iamwhy_catalog::DATA_DATE =>
        {
            Some("not in the service catalog, which is newer than the policy")
        }
        // A multivalued key under an operator without ForAllValues/ForAnyValue never matches
        // (AWS: string operators).
        "MISSING_QUALIFIER" => Some("multivalued key without a set operator never matches"),
        "INVALID_ARN_RESOURCE" => REAL_ARN_ERRORS
            .iter()
            .find(|(name, arn, _)| *name == m.name && at.contains(arn))
            .map(|(_, _, why)| *why),
        _ => None,
    }
}

#[test]
fn aws_managed_policies_have_no_error_findings_but_real_ones() {
    let corpus = corpus();
    assert!(
        corpus.len() >= 1500,
        "expected the full corpus, got {}",
        corpus.len()
    );
    let linter = Linter::new();
    let mut counts: BTreeMap<&str, (FindingType, usize, usize)> = BTreeMap::new();
    let mut unexpected = Vec::new();
    let mut real: BTreeMap<(&str, &'static str), BTreeMap<&str, usize>> = BTreeMap::new();
    for m in &corpus {
        let (name, text) = (&m.name, &m.text);
        let findings = linter.lint_text(text, PolicyContext::of_type(PolicyType::Identity));
        let mut codes_here = std::collections::BTreeSet::new();
        for f in &findings {
            let e = counts.entry(f.code()).or_insert((f.finding_type(), 0, 0));
            e.1 += 1;
            if codes_here.insert(f.code()) {
                e.2 += 1;
            }
            if f.finding_type() == FindingType::Error {
                let at = &text[f.span.start as usize..f.span.end as usize];
                match real_error(m, f.code(), at) {
                    Some(why) => {
                        *real
                            .entry((f.code(), why))
                            .or_default()
                            .entry(name.as_str())
                            .or_default() += 1;
                    }
                    None => unexpected.push(format!("{name}: {} {}", f.code(), f.details)),
                }
            }
        }
    }
    println!("| code | type | findings | policies |");
    println!("| --- | --- | ---: | ---: |");
    for (code, (t, n, p)) in &counts {
        println!("| `{code}` | {} | {n} | {p} |", t.heading());
    }
    println!();
    for ((code, why), policies) in &real {
        let list: Vec<String> = policies.iter().map(|(p, n)| format!("{p} ({n})")).collect();
        println!("- `{code}` ({why}): {}", list.join(", "));
    }
    assert!(
        unexpected.is_empty(),
        "{} ERROR findings on AWS managed policies not known to be real:\n{}",
        unexpected.len(),
        unexpected.join("\n")
    );
}
