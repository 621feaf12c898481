//! The embedded AWS managed policies: complete, looked up by ARN in every form, consistent with
//! the generator and its NOTICE, and (when ../shared is beside the checkout) identical to the
//! shared corpus taken from the same package version.

use iamwhy_managed_policies::{
    DATA_DATE, POLICY_COUNT, SOURCE_PACKAGE, SOURCE_VERSION, embedded, provenance,
};
use std::path::PathBuf;

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn every_aws_managed_policy_is_embedded_once() {
    let data = embedded();
    assert_eq!(data.len(), POLICY_COUNT);
    assert!(data.len() >= 1500, "{}", data.len());
    let mut arns: Vec<&str> = data.iter().map(|p| p.arn).collect();
    let n = arns.len();
    arns.dedup();
    assert_eq!(arns.len(), n, "ARNs are unique");
    for p in data.iter() {
        let doc: serde_json::Value =
            serde_json::from_str(p.document).unwrap_or_else(|e| panic!("{}: {e}", p.arn));
        assert!(doc.get("Statement").is_some(), "{} has no Statement", p.arn);
        assert!(
            p.arn.ends_with(&format!("{}{}", p.path, p.name)),
            "{}",
            p.arn
        );
    }
}

#[test]
fn lookup_by_arn_finds_top_level_and_path_policies() {
    let data = embedded();
    let admin = data
        .get("arn:aws:iam::aws:policy/AdministratorAccess")
        .unwrap();
    assert!(!admin.partition_differs);
    assert_eq!(admin.policy.name, "AdministratorAccess");
    assert_eq!(admin.policy.path, "/");
    assert!(admin.policy.document.contains("\"Action\":\"*\""));

    let lambda = data
        .get("arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")
        .unwrap();
    assert_eq!(lambda.policy.path, "/service-role/");
    assert!(lambda.policy.document.contains("logs:CreateLogGroup"));

    let job = data
        .get("arn:aws:iam::aws:policy/job-function/ViewOnlyAccess")
        .unwrap();
    assert_eq!(job.policy.path, "/job-function/");
}

#[test]
fn lookup_in_other_partitions_says_the_document_is_the_aws_partitions() {
    let data = embedded();
    for partition in ["aws-cn", "aws-us-gov"] {
        let arn = format!("arn:{partition}:iam::aws:policy/ReadOnlyAccess");
        let hit = data.get(&arn).unwrap();
        assert!(hit.partition_differs);
        assert_eq!(hit.policy.arn, "arn:aws:iam::aws:policy/ReadOnlyAccess");
    }
}

#[test]
fn lookup_needs_the_exact_path_and_an_aws_managed_arn() {
    let data = embedded();
    // AWSLambdaBasicExecutionRole lives under service-role/: without the path it is another ARN.
    assert!(
        data.get("arn:aws:iam::aws:policy/AWSLambdaBasicExecutionRole")
            .is_none()
    );
    assert!(
        data.get("arn:aws:iam::123456789012:policy/AdministratorAccess")
            .is_none()
    );
    assert!(
        data.get("arn:aws:iam::aws:policy/administratoraccess")
            .is_none()
    );
    assert!(data.get("AdministratorAccess").is_none());
    assert!(
        data.get("arn::iam::aws:policy/AdministratorAccess")
            .is_none()
    );
    assert_eq!(
        data.by_name("AWSLambdaBasicExecutionRole").unwrap().arn,
        "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
    );
    assert!(data.by_name("NoSuchPolicyAnywhere").is_none());
}

#[test]
fn source_constants_match_the_generator_and_the_notice() {
    let script = std::fs::read_to_string(
        crate_dir().join("../../tools/gen-managed-policies/gen_managed_policies.py"),
    )
    .unwrap();
    assert!(script.contains(&format!("PACKAGE = \"{SOURCE_PACKAGE}\"")));
    assert!(script.contains(&format!("VERSION = \"{SOURCE_VERSION}\"")));
    let notice = std::fs::read_to_string(crate_dir().join("data/NOTICE.md")).unwrap();
    assert!(notice.contains(&format!("`{SOURCE_PACKAGE}@{SOURCE_VERSION}`")));
    assert!(notice.contains(&format!("| data date | {DATA_DATE} ")));
    assert!(notice.contains(&format!("| policies (default versions) | {POLICY_COUNT} |")));
    let gz_len = std::fs::metadata(crate_dir().join("data/managed-policies.tsv.gz"))
        .unwrap()
        .len();
    assert!(
        notice.contains(&format!(" bytes raw, {gz_len} bytes gzipped |")),
        "NOTICE.md states the size of another data file than the committed one ({gz_len} bytes)"
    );
    assert!(notice.contains("MIT License"));
    assert_eq!(
        provenance(),
        format!("{SOURCE_PACKAGE} {SOURCE_VERSION}, {DATA_DATE}")
    );
}

/// Extra coverage when ../shared is beside the checkout: the shared corpus was taken from the
/// same package version, so every document, version id and date must agree.
#[test]
fn embedded_policies_equal_the_shared_corpus_when_present() {
    let path = crate_dir().join("../../../shared/corpus/aws-managed-policies.json");
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!(
            "skipped: {} is not beside the checkout (the embedded data is checked above)",
            path.display()
        );
        return;
    };
    let corpus: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&text).unwrap();
    let data = embedded();
    assert_eq!(corpus.len(), data.len());
    for (arn, entry) in &corpus {
        let p = data
            .get(arn)
            .unwrap_or_else(|| panic!("{arn} is not embedded"))
            .policy;
        assert_eq!(entry["name"], p.name, "{arn}");
        assert_eq!(entry["versionId"], p.version_id, "{arn}");
        assert_eq!(entry["updated"], p.updated, "{arn}");
        let doc: serde_json::Value = serde_json::from_str(p.document).unwrap();
        assert_eq!(entry["document"], doc, "{arn}");
    }
}
