//! CloudTrail reader: one fixture per identity type, the special event shapes of CloudTrail records,
//! every input container (event, log file, gzip, lookup-events, directory), and malformed
//! inputs that must give an error rather than a panic.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use flate2::Compression;
use flate2::write::GzEncoder;
use iamwhy_evidence::cloudtrail::{
    actions_for_event, is_denied, observe, read_events, read_path, read_paths, service_prefix,
};
use iamwhy_evidence::{DenyKind, Observed, Origin, PolicyKind};
use serde_json::{Value, json};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/cloudtrail")
        .join(name)
}

/// A fresh scratch directory for one test, removed when dropped.
fn scratch(test: &str) -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix(&format!("iamwhy-cloudtrail-{test}-"))
        .tempdir()
        .unwrap()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = GzEncoder::new(Vec::new(), Compression::default());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

fn record(name: &str) -> Value {
    let mut records = read_path(&fixture(name)).unwrap();
    assert_eq!(records.len(), 1, "{name} holds one event");
    records.remove(0).1
}

fn one(name: &str) -> Observed {
    let path = fixture(name);
    let records = read_path(&path).unwrap();
    assert_eq!(records.len(), 1, "{name} holds one event");
    observe(&records[0].1, records[0].0.as_deref())
}

/// Every value of a context key, in order.
fn ctx<'a>(o: &'a Observed, key: &str) -> Vec<&'a str> {
    o.context
        .iter()
        .filter(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .collect()
}

fn has_note(o: &Observed, needle: &str) -> bool {
    o.notes.iter().any(|n| n.contains(needle))
}

#[test]
fn iam_user_with_a_long_term_key() {
    let o = one("iam_user_long_term.json");
    let p = "arn:aws:iam::111122223333:user/ops/carol";
    assert_eq!(o.principal.as_deref(), Some(p));
    assert_eq!(o.role_arn, None);
    assert_eq!(ctx(&o, "aws:PrincipalArn"), [p]);
    assert_eq!(ctx(&o, "aws:userid"), ["AIDAEXAMPLECAROL0001"]);
    assert_eq!(ctx(&o, "aws:username"), ["carol"]);
    assert_eq!(ctx(&o, "aws:PrincipalType"), ["User"]);
    assert_eq!(ctx(&o, "aws:PrincipalAccount"), ["111122223333"]);
    assert_eq!(ctx(&o, "aws:PrincipalIsAWSService"), ["false"]);
    assert_eq!(ctx(&o, "aws:ViaAWSService"), ["false"]);
    // Long-term key: no MFA or token keys at all.
    assert!(ctx(&o, "aws:MultiFactorAuthPresent").is_empty());
    assert!(ctx(&o, "aws:TokenIssueTime").is_empty());
    assert!(has_note(&o, "long-term access key AKIAEXAMPLECAROL0001"));
    assert_eq!(ctx(&o, "aws:SourceIp"), ["198.51.100.7"]);
    assert_eq!(ctx(&o, "aws:SecureTransport"), ["true"]);
    assert_eq!(ctx(&o, "aws:RequestedRegion"), ["eu-west-1"]);
    assert_eq!(o.region.as_deref(), Some("eu-west-1"));
    assert_eq!(ctx(&o, "aws:CurrentTime"), ["2026-03-01T11:02:17Z"]);
    assert!(ctx(&o, "aws:UserAgent")[0].starts_with("Boto3/1.34.50"));
    assert_eq!(o.actions, ["dynamodb:PutItem"]);
    assert_eq!(
        o.resource.as_deref(),
        Some("arn:aws:dynamodb:eu-west-1:111122223333:table/Orders")
    );
    assert_eq!(o.resource_account.as_deref(), Some("111122223333"));
    assert_eq!(o.allowed, Some(false));
    let m = o.message.as_ref().unwrap();
    assert_eq!(m.error_code.as_deref(), Some("AccessDeniedException"));
    assert_eq!(m.policy_type, Some(PolicyKind::Identity));
    assert_eq!(m.deny, Some(DenyKind::Implicit));
    assert_eq!(m.principal.as_deref(), Some(p));
    assert_eq!(
        o.origin,
        Origin::CloudTrail {
            event_id: Some("0b3e6b1e-95f0-4c0e-9a53-1c3f9d77f2a2".into()),
            event_time: Some("2026-03-01T11:02:17Z".into()),
            event: "dynamodb.amazonaws.com PutItem".into(),
            file: Some(fixture("iam_user_long_term.json").display().to_string()),
        }
    );
}

#[test]
fn assumed_role_with_issuer_path_and_mfa() {
    let o = one("assumed_role_mfa.json");
    assert_eq!(
        o.principal.as_deref(),
        Some("arn:aws:sts::111122223333:assumed-role/DevRole/alice")
    );
    // The role path only appears in the session issuer.
    assert_eq!(
        o.role_arn.as_deref(),
        Some("arn:aws:iam::111122223333:role/team/DevRole")
    );
    assert_eq!(
        ctx(&o, "aws:PrincipalArn"),
        ["arn:aws:iam::111122223333:role/team/DevRole"]
    );
    assert_eq!(ctx(&o, "aws:userid"), ["AROAEXAMPLEDEVROLE01:alice"]);
    assert!(ctx(&o, "aws:username").is_empty());
    assert_eq!(ctx(&o, "aws:PrincipalType"), ["AssumedRole"]);
    assert_eq!(ctx(&o, "aws:MultiFactorAuthPresent"), ["true"]);
    assert_eq!(ctx(&o, "aws:TokenIssueTime"), ["2026-03-01T09:12:44Z"]);
    assert_eq!(ctx(&o, "aws:SourceIdentity"), ["alice@example.com"]);
    assert_eq!(ctx(&o, "aws:CurrentTime"), ["2026-03-01T09:30:00Z"]);
    assert_eq!(ctx(&o, "aws:EpochTime"), ["1772357400"]);
    assert_eq!(ctx(&o, "aws:SourceIp"), ["203.0.113.10"]);
    assert_eq!(ctx(&o, "aws:SecureTransport"), ["true"]);
    assert_eq!(o.actions, ["s3:GetObject"]);
    // The message's quoted resource, unquoted.
    assert_eq!(o.resource.as_deref(), Some("arn:aws:s3:::reports/q1.csv"));
    // The object entry has no accountId; the bucket (its container) has.
    assert_eq!(o.resource_account.as_deref(), Some("444455556666"));
    assert!(has_note(&o, "of arn:aws:s3:::reports (the container)"));
    let m = o.message.as_ref().unwrap();
    assert_eq!(m.policy_type, Some(PolicyKind::Resource));
    assert_eq!(m.deny, Some(DenyKind::Implicit));
}

#[test]
fn assumed_role_without_issuer_rebuilds_the_role_arn_and_says_the_path_is_unknown() {
    let mut ev = record("assumed_role_mfa.json");
    ev["userIdentity"]["sessionContext"]
        .as_object_mut()
        .unwrap()
        .remove("sessionIssuer");
    let o = observe(&ev, None);
    assert_eq!(o.role_arn, None);
    assert_eq!(
        ctx(&o, "aws:PrincipalArn"),
        ["arn:aws:iam::111122223333:role/DevRole"]
    );
    assert!(has_note(&o, "the role's path is unknown"));
}

#[test]
fn federated_user_with_request_tags() {
    let o = one("federated_user.json");
    let p = "arn:aws:sts::111122223333:federated-user/dana";
    assert_eq!(o.principal.as_deref(), Some(p));
    assert_eq!(o.role_arn, None);
    assert_eq!(ctx(&o, "aws:PrincipalArn"), [p]);
    assert_eq!(ctx(&o, "aws:userid"), ["111122223333:dana"]);
    assert!(ctx(&o, "aws:username").is_empty());
    assert_eq!(ctx(&o, "aws:PrincipalType"), ["FederatedUser"]);
    assert_eq!(ctx(&o, "aws:MultiFactorAuthPresent"), ["false"]);
    assert_eq!(ctx(&o, "aws:TokenIssueTime"), ["2026-03-01T08:00:05Z"]);
    assert!(has_note(
        &o,
        "issued by arn:aws:iam::111122223333:user/broker"
    ));
    // SNS writes `SNS:CreateTopic`; the catalog's spelling is used.
    assert_eq!(o.actions, ["sns:CreateTopic"]);
    assert_eq!(
        o.resource.as_deref(),
        Some("arn:aws:sns:eu-west-1:111122223333:alerts")
    );
    assert_eq!(ctx(&o, "aws:RequestTag/team"), ["red"]);
    assert_eq!(ctx(&o, "aws:RequestTag/cost-center"), ["cc-42"]);
    assert_eq!(ctx(&o, "aws:TagKeys"), ["team", "cost-center"]);
    assert!(has_note(&o, "requestParameters.tags"));
    // SNS's error code.
    assert!(is_denied(&record("federated_user.json")));
    assert_eq!(o.allowed, Some(false));
}

#[test]
fn root_console_session_with_basic_form_creation_date_and_scp_deny() {
    let o = one("root.json");
    let root = "arn:aws:iam::111122223333:root";
    assert_eq!(o.principal.as_deref(), Some(root));
    assert_eq!(ctx(&o, "aws:PrincipalArn"), [root]);
    assert_eq!(ctx(&o, "aws:userid"), ["111122223333"]);
    assert_eq!(ctx(&o, "aws:PrincipalType"), ["Account"]);
    assert_eq!(ctx(&o, "aws:PrincipalAccount"), ["111122223333"]);
    assert!(ctx(&o, "aws:username").is_empty());
    assert_eq!(ctx(&o, "aws:MultiFactorAuthPresent"), ["true"]);
    // `20260301T091244Z` rewritten to the extended form.
    assert_eq!(ctx(&o, "aws:TokenIssueTime"), ["2026-03-01T09:12:44Z"]);
    assert!(has_note(&o, "basic-form creationDate 20260301T091244Z"));
    assert!(has_note(&o, "console session"));
    assert_eq!(o.actions, ["kms:ScheduleKeyDeletion"]);
    assert_eq!(
        o.resource.as_deref(),
        Some("arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab")
    );
    let m = o.message.as_ref().unwrap();
    assert_eq!(m.policy_type, Some(PolicyKind::Scp));
    assert_eq!(m.deny, Some(DenyKind::Explicit));
    assert_eq!(
        m.policy_arn.as_deref(),
        Some(
            "arn:aws:organizations::999988887777:policy/o-a1b2c3d4e5/service_control_policy/p-examplescp"
        )
    );
}

#[test]
fn aws_service_principal_via_invoked_by() {
    let o = one("aws_service.json");
    assert_eq!(o.principal.as_deref(), Some("cloudtrail.amazonaws.com"));
    assert_eq!(ctx(&o, "aws:PrincipalIsAWSService"), ["true"]);
    assert_eq!(
        ctx(&o, "aws:PrincipalServiceName"),
        ["cloudtrail.amazonaws.com"]
    );
    // A service principal acting as itself is not a forward-access call.
    assert_eq!(ctx(&o, "aws:ViaAWSService"), ["false"]);
    assert!(ctx(&o, "aws:CalledVia").is_empty());
    for absent in [
        "aws:PrincipalArn",
        "aws:userid",
        "aws:PrincipalType",
        "aws:PrincipalAccount",
        "aws:SourceIp",
    ] {
        assert!(ctx(&o, absent).is_empty(), "{absent} should be absent");
    }
    assert!(has_note(
        &o,
        "sourceIPAddress is cloudtrail.amazonaws.com, not an IP"
    ));
    assert!(has_note(&o, "tlsDetails is not logged"));
    assert_eq!(o.actions, ["s3:PutObject"]);
    assert_eq!(
        o.resource.as_deref(),
        Some(
            "arn:aws:s3:::org-trail-logs/AWSLogs/111122223333/CloudTrail/eu-west-1/2026/03/01/111122223333_CloudTrail_eu-west-1_20260301T1005Z_AbCdEf.json.gz"
        )
    );
    assert_eq!(o.resource_account.as_deref(), Some("999988887777"));
    assert_eq!(ctx(&o, "s3:x-amz-acl"), ["bucket-owner-full-control"]);
    assert_eq!(ctx(&o, "s3:x-amz-server-side-encryption"), ["AES256"]);
    let m = o.message.as_ref().unwrap();
    assert_eq!(m.variant.as_deref(), Some("s3-bare"));
    assert_eq!(m.policy_type, None);
}

#[test]
fn anonymous_principal_from_s3_anonymous_marker() {
    let o = one("anonymous.json");
    assert_eq!(o.principal.as_deref(), Some("anonymous"));
    assert_eq!(ctx(&o, "aws:PrincipalType"), ["Anonymous"]);
    assert_eq!(ctx(&o, "aws:userid"), ["anonymous"]);
    assert_eq!(ctx(&o, "aws:PrincipalAccount"), ["anonymous"]);
    assert!(ctx(&o, "aws:PrincipalArn").is_empty());
    assert!(ctx(&o, "aws:PrincipalIsAWSService").is_empty());
    assert_eq!(ctx(&o, "aws:SourceIp"), ["198.51.100.200"]);
    assert_eq!(o.actions, ["s3:GetObject"]);
    assert_eq!(
        o.resource.as_deref(),
        Some("arn:aws:s3:::public-site/private/config.json")
    );
    assert_eq!(o.resource_account.as_deref(), Some("111122223333"));
}

#[test]
fn no_user_identity_means_anonymous() {
    let mut ev = record("anonymous.json");
    ev.as_object_mut().unwrap().remove("userIdentity");
    let o = observe(&ev, None);
    assert_eq!(o.principal.as_deref(), Some("anonymous"));
    assert_eq!(ctx(&o, "aws:PrincipalType"), ["Anonymous"]);
    assert!(has_note(&o, "the event has no userIdentity"));
}

#[test]
fn network_activity_vpce_denial_knows_only_the_account() {
    let ev = record("vpce_network_activity.json");
    assert!(is_denied(&ev));
    let o = observe(&ev, None);
    assert_eq!(o.principal, None);
    assert_eq!(ctx(&o, "aws:PrincipalAccount"), ["444455556666"]);
    // principalId is the access key here, not a unique ID.
    assert!(ctx(&o, "aws:userid").is_empty());
    assert!(has_note(
        &o,
        "known only by its account and access key AKIAEXAMPLEEXT000001"
    ));
    assert!(has_note(&o, "the principal may only be an account"));
    assert_eq!(o.vpce.as_deref(), Some("vpce-0net1234abcd5678e"));
    assert_eq!(ctx(&o, "aws:SourceVpce"), ["vpce-0net1234abcd5678e"]);
    assert_eq!(ctx(&o, "aws:VpceAccount"), ["111122223333"]);
    assert_eq!(ctx(&o, "aws:VpcSourceIp"), ["10.0.12.34"]);
    assert!(ctx(&o, "aws:SourceIp").is_empty());
    assert!(has_note(&o, "aws:SourceVpc is not logged"));
    assert_eq!(o.actions, ["secretsmanager:GetSecretValue"]);
    // recipientAccountId is the endpoint owner: not used as the resource account.
    assert_eq!(o.resource, None);
    assert_eq!(o.resource_account, None);
    let m = o.message.as_ref().unwrap();
    assert_eq!(m.error_code.as_deref(), Some("VpceAccessDenied"));
    assert_eq!(m.policy_type, Some(PolicyKind::VpcEndpoint));
    assert_eq!(m.variant.as_deref(), Some("vpce-network-event"));
    assert!(has_note(
        &o,
        "VpceAccessDenied: the policy of VPC endpoint vpce-0net1234abcd5678e"
    ));
}

#[test]
fn ec2_unauthorized_operation_with_encoded_message() {
    let ev = record("ec2_unauthorized.json");
    assert!(is_denied(&ev));
    let o = observe(&ev, None);
    assert_eq!(
        o.role_arn.as_deref(),
        Some("arn:aws:iam::111122223333:role/service/WebServerRole")
    );
    assert_eq!(
        ctx(&o, "aws:userid"),
        ["AROAEXAMPLEWEBSERVER:i-0abc1234def567890"]
    );
    assert_eq!(ctx(&o, "ec2:RoleDelivery"), ["2.0"]);
    assert_eq!(ctx(&o, "aws:MultiFactorAuthPresent"), ["false"]);
    assert_eq!(o.actions, ["ec2:RunInstances"]);
    assert_eq!(
        o.resource.as_deref(),
        Some("arn:aws:ec2:us-east-1:111122223333:instance/*")
    );
    assert_eq!(o.resource_account.as_deref(), Some("111122223333"));
    assert_eq!(o.region.as_deref(), Some("us-east-1"));
    let m = o.message.as_ref().unwrap();
    assert_eq!(
        m.error_code.as_deref(),
        Some("Client.UnauthorizedOperation")
    );
    assert_eq!(m.variant.as_deref(), Some("ec2-encoded"));
    assert!(
        m.encoded_message
            .as_deref()
            .unwrap()
            .starts_with("7lQbEXAMPLE")
    );
    assert!(m.encoded_message.as_deref().unwrap().ends_with("EXAMPLEZQ"));
    assert_eq!(m.policy_type, Some(PolicyKind::Identity));
    assert_eq!(ctx(&o, "aws:RequestTag/Env"), ["prod"]);
    assert_eq!(ctx(&o, "aws:RequestTag/Team"), ["web"]);
    assert_eq!(ctx(&o, "aws:TagKeys"), ["Env", "Team"]);
    assert_eq!(ctx(&o, "ec2:InstanceType"), ["m5.24xlarge"]);
    assert!(has_note(&o, "requestParameters.tagSpecificationSet"));
}

#[test]
fn s3_through_a_vpc_endpoint() {
    let o = one("s3_vpce.json");
    assert_eq!(o.vpce.as_deref(), Some("vpce-0abc1234def567890"));
    assert_eq!(ctx(&o, "aws:SourceVpce"), ["vpce-0abc1234def567890"]);
    assert_eq!(ctx(&o, "aws:VpceAccount"), ["111122223333"]);
    assert_eq!(ctx(&o, "aws:VpcSourceIp"), ["10.1.2.3"]);
    assert!(ctx(&o, "aws:SourceIp").is_empty());
    assert!(ctx(&o, "aws:SourceVpc").is_empty());
    assert!(has_note(&o, "aws:SourceVpc is not logged"));
    assert_eq!(o.actions, ["s3:GetObject"]);
    assert_eq!(
        o.resource.as_deref(),
        Some("arn:aws:s3:::finance-data/2026/ledger.parquet")
    );
    let m = o.message.as_ref().unwrap();
    assert_eq!(m.policy_type, Some(PolicyKind::VpcEndpoint));
    assert_eq!(m.deny, Some(DenyKind::Explicit));
}

#[test]
fn copy_object_needs_get_and_put() {
    let o = one("s3_copy_object.json");
    assert_eq!(o.actions, ["s3:GetObject", "s3:PutObject"]);
    // The destination object, preferred over the bucket.
    assert_eq!(
        o.resource.as_deref(),
        Some("arn:aws:s3:::dest-bucket/copies/a.txt")
    );
    assert!(has_note(
        &o,
        "copy source arn:aws:s3:::src-bucket/data/a.txt"
    ));
    assert!(has_note(&o, "authorized as several actions"));
    assert_eq!(
        o.role_arn.as_deref(),
        Some("arn:aws:iam::111122223333:role/EtlRole")
    );

    // When the message names the refused half, that action and its resource win.
    let mut ev = record("s3_copy_object.json");
    ev["errorMessage"] = json!(
        "User: arn:aws:sts::111122223333:assumed-role/EtlRole/etl-run-17 is not authorized to perform: s3:GetObject on resource: \"arn:aws:s3:::src-bucket/data/a.txt\" because no resource-based policy allows the s3:GetObject action"
    );
    let o = observe(&ev, None);
    assert_eq!(o.actions, ["s3:GetObject"]);
    assert_eq!(
        o.resource.as_deref(),
        Some("arn:aws:s3:::src-bucket/data/a.txt")
    );
    assert!(has_note(&o, "maps to s3:GetObject + s3:PutObject"));
}

#[test]
fn lambda_dated_event_name_and_forward_access_via_cloudformation() {
    let ev = record("lambda_dated.json");
    let o = observe(&ev, None);
    assert_eq!(o.actions, ["lambda:GetFunction"]);
    assert_eq!(
        o.resource.as_deref(),
        Some("arn:aws:lambda:eu-west-1:111122223333:function:orders-api")
    );
    assert_eq!(ctx(&o, "aws:ViaAWSService"), ["true"]);
    assert_eq!(ctx(&o, "aws:CalledVia"), ["cloudformation.amazonaws.com"]);
    assert_eq!(
        ctx(&o, "aws:CalledViaFirst"),
        ["cloudformation.amazonaws.com"]
    );
    assert_eq!(
        ctx(&o, "aws:CalledViaLast"),
        ["cloudformation.amazonaws.com"]
    );
    assert!(ctx(&o, "aws:SourceIp").is_empty());
    assert_eq!(
        o.role_arn.as_deref(),
        Some("arn:aws:iam::111122223333:role/ci/DeployRole")
    );

    // Without the message, the dated event name maps to the same action and the resource
    // is built from requestParameters.functionName.
    let mut bare = ev.clone();
    bare.as_object_mut().unwrap().remove("errorMessage");
    let o = observe(&bare, None);
    assert_eq!(o.actions, ["lambda:GetFunction"]);
    assert!(has_note(&o, "API version suffix dropped: GetFunction"));
    assert_eq!(
        o.resource.as_deref(),
        Some("arn:aws:lambda:eu-west-1:111122223333:function:orders-api")
    );
    assert!(has_note(&o, "requestParameters.functionName"));
}

#[test]
fn event_names_map_to_actions_with_the_spec_exceptions() {
    let cases: &[(&str, &str, &[&str])] = &[
        (
            "lambda.amazonaws.com",
            "ListFunctions20150331",
            &["lambda:ListFunctions"],
        ),
        (
            "lambda.amazonaws.com",
            "GetFunction20150331v2",
            &["lambda:GetFunction"],
        ),
        ("lambda.amazonaws.com", "Invoke", &["lambda:InvokeFunction"]),
        ("s3.amazonaws.com", "ListObjects", &["s3:ListBucket"]),
        ("s3.amazonaws.com", "ListObjectsV2", &["s3:ListBucket"]),
        ("s3.amazonaws.com", "HeadBucket", &["s3:ListBucket"]),
        ("s3.amazonaws.com", "HeadObject", &["s3:GetObject"]),
        (
            "s3.amazonaws.com",
            "ListObjectVersions",
            &["s3:ListBucketVersions"],
        ),
        (
            "s3.amazonaws.com",
            "CopyObject",
            &["s3:GetObject", "s3:PutObject"],
        ),
        ("s3.amazonaws.com", "UploadPart", &["s3:PutObject"]),
        (
            "s3.amazonaws.com",
            "CreateMultipartUpload",
            &["s3:PutObject"],
        ),
        (
            "s3.amazonaws.com",
            "CompleteMultipartUpload",
            &["s3:PutObject"],
        ),
        ("s3.amazonaws.com", "ListBuckets", &["s3:ListAllMyBuckets"]),
        (
            "s3.amazonaws.com",
            "GetBucketEncryption",
            &["s3:GetEncryptionConfiguration"],
        ),
        ("s3.amazonaws.com", "GetObject", &["s3:GetObject"]),
        (
            "monitoring.amazonaws.com",
            "PutMetricData",
            &["cloudwatch:PutMetricData"],
        ),
        ("email.amazonaws.com", "SendEmail", &["ses:SendEmail"]),
        ("es.amazonaws.com", "CreateDomain", &["es:CreateDomain"]),
        (
            "tagging.amazonaws.com",
            "GetResources",
            &["tag:GetResources"],
        ),
        ("sts.amazonaws.com", "AssumeRole", &["sts:AssumeRole"]),
        ("kms.amazonaws.com", "Decrypt", &["kms:Decrypt"]),
    ];
    for (source, name, expected) in cases {
        assert_eq!(
            actions_for_event(source, name),
            *expected,
            "{source} {name}"
        );
    }
    assert_eq!(service_prefix("monitoring.amazonaws.com"), "cloudwatch");
    assert_eq!(service_prefix("email.amazonaws.com"), "ses");
    assert_eq!(service_prefix("es.amazonaws.com"), "es");
    assert_eq!(service_prefix("streams.dynamodb.amazonaws.com"), "dynamodb");
    assert_eq!(service_prefix("S3.amazonaws.com"), "s3");
}

#[test]
fn plain_log_file() {
    let path = fixture("trail_log.json");
    let records = read_path(&path).unwrap();
    assert_eq!(records.len(), 3);
    let label = path.display().to_string();
    assert!(
        records
            .iter()
            .all(|(f, _)| f.as_deref() == Some(label.as_str()))
    );
    let denied: Vec<bool> = records.iter().map(|(_, r)| is_denied(r)).collect();
    assert_eq!(denied, [false, true, true]);

    let ok = observe(&records[0].1, records[0].0.as_deref());
    assert_eq!(ok.allowed, Some(true));
    assert_eq!(ok.message, None);
    assert_eq!(ok.actions, ["sts:GetCallerIdentity"]);

    // No errorMessage: the dated event name gives the action.
    let list = observe(&records[1].1, None);
    assert_eq!(list.actions, ["lambda:ListFunctions"]);
    assert_eq!(list.allowed, Some(false));
    assert_eq!(list.resource.as_deref(), Some("*"));

    let objects = observe(&records[2].1, None);
    assert_eq!(objects.actions, ["s3:ListBucket"]);
    assert_eq!(objects.resource.as_deref(), Some("arn:aws:s3:::reports"));
    assert_eq!(objects.resource_account.as_deref(), Some("444455556666"));
    assert_eq!(ctx(&objects, "s3:prefix"), ["2026/"]);
    assert_eq!(ctx(&objects, "s3:delimiter"), ["/"]);
}

#[test]
fn gzipped_log_file_reads_like_the_plain_one() {
    let plain = fs::read(fixture("trail_log.json")).unwrap();
    let scratch = scratch("gzip");
    let dir = scratch.path();
    let gz = dir.join("111122223333_CloudTrail_eu-west-1_20260301T0930Z_x.json.gz");
    fs::write(&gz, gzip(&plain)).unwrap();
    let from_gz = read_path(&gz).unwrap();
    let from_plain = read_path(&fixture("trail_log.json")).unwrap();
    assert_eq!(from_gz.len(), 3);
    let records = |v: &[(Option<String>, Value)]| v.iter().map(|r| r.1.clone()).collect::<Vec<_>>();
    assert_eq!(records(&from_gz), records(&from_plain));
    assert!(from_gz[0].0.as_deref().unwrap().ends_with(".json.gz"));
    // The bytes alone are enough: gzip is detected by its magic number.
    assert_eq!(read_events(&gzip(&plain), None).unwrap().len(), 3);
}

#[test]
fn lookup_events_output() {
    let records = read_path(&fixture("lookup_events.json")).unwrap();
    assert_eq!(records.len(), 2);
    let fed = observe(&records[0].1, records[0].0.as_deref());
    assert_eq!(
        fed.principal.as_deref(),
        Some("arn:aws:sts::111122223333:federated-user/dana")
    );
    assert_eq!(fed.actions, ["sns:CreateTopic"]);
    let root = observe(&records[1].1, None);
    assert_eq!(
        root.principal.as_deref(),
        Some("arn:aws:iam::111122223333:root")
    );
    match &root.origin {
        Origin::CloudTrail {
            event, event_id, ..
        } => {
            assert_eq!(event, "kms.amazonaws.com ScheduleKeyDeletion");
            assert_eq!(
                event_id.as_deref(),
                Some("7c6b5a49-3e2d-41f0-8e9d-6c5b4a392817")
            );
        }
        other => panic!("unexpected origin {other:?}"),
    }
}

#[test]
fn directory_is_walked_recursively_in_sorted_order() {
    let dir = fixture("logdir");
    let records = read_path(&dir).unwrap();
    assert_eq!(records.len(), 3, "README.txt is skipped");
    let files: Vec<&str> = records.iter().map(|r| r.0.as_deref().unwrap()).collect();
    assert!(files[0].ends_with("20260301T0930Z_a1.json"));
    assert!(files[1].ends_with("20260302T1000Z_b2.json"));
    assert_eq!(files[1], files[2]);
    let names: Vec<&str> = records
        .iter()
        .map(|r| r.1["eventName"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["PutItem", "GetObject", "CopyObject"]);
}

#[test]
fn directory_with_plain_and_gzipped_files_and_many_paths() {
    let scratch = scratch("dir");
    let dir = scratch.path();
    fs::create_dir_all(dir.join("b")).unwrap();
    fs::write(
        dir.join("a.json"),
        fs::read(fixture("iam_user_long_term.json")).unwrap(),
    )
    .unwrap();
    fs::write(
        dir.join("b/c.json.gz"),
        gzip(&fs::read(fixture("trail_log.json")).unwrap()),
    )
    .unwrap();
    fs::write(dir.join("b/ignored.gz"), gzip(b"not a log")).unwrap();
    let records = read_path(dir).unwrap();
    assert_eq!(records.len(), 4);
    assert!(records[0].0.as_deref().unwrap().ends_with("a.json"));
    assert!(records[3].0.as_deref().unwrap().ends_with("c.json.gz"));

    let many = read_paths(&[
        fixture("root.json"),
        dir.to_path_buf(),
        fixture("s3_vpce.json"),
    ])
    .unwrap();
    assert_eq!(many.len(), 6);
    assert_eq!(many[0].1["eventName"], "ScheduleKeyDeletion");
    assert_eq!(many[5].1["eventName"], "GetObject");
}

#[test]
fn single_events_one_after_another_and_plain_arrays() {
    let a = fs::read_to_string(fixture("root.json")).unwrap();
    let b = fs::read_to_string(fixture("s3_vpce.json")).unwrap();
    let lines = format!(
        "{}\n{}\n",
        serde_json::to_string(&serde_json::from_str::<Value>(&a).unwrap()).unwrap(),
        serde_json::to_string(&serde_json::from_str::<Value>(&b).unwrap()).unwrap()
    );
    assert_eq!(read_events(lines.as_bytes(), None).unwrap().len(), 2);
    let array = format!("[{a}, {b}]");
    assert_eq!(read_events(array.as_bytes(), None).unwrap().len(), 2);
    // A single lookup-events entry on its own.
    let lookup: Value =
        serde_json::from_slice(&fs::read(fixture("lookup_events.json")).unwrap()).unwrap();
    let entry = serde_json::to_vec(&lookup["Events"][0]).unwrap();
    assert_eq!(read_events(&entry, None).unwrap().len(), 1);
}

#[test]
fn truncated_json_is_an_error_with_its_position() {
    let path = fixture("truncated.json");
    let err = read_path(&path).unwrap_err();
    assert_eq!(
        err.file.as_deref(),
        Some(path.display().to_string().as_str())
    );
    assert!(err.position().is_some());
    assert_eq!(err.code, "truncated-json");
    assert!(err.message.contains("truncated"), "{err}");
    let shown = err.to_string();
    assert!(
        shown.starts_with(&format!(
            "{}:{}:",
            path.display(),
            err.position().unwrap().line
        )),
        "{shown}"
    );
}

#[test]
fn text_that_is_not_json_is_an_error() {
    let err = read_path(&fixture("not_json.txt")).unwrap_err();
    assert!(err.message.contains("not valid JSON"), "{err}");
    assert_eq!(err.position().map(|p| p.line), Some(1));
    assert_eq!(err.code, "invalid-json");
}

#[test]
fn gzip_garbage_is_an_error() {
    let err = read_events(
        &[0x1f, 0x8b, 0x08, 0x00, 0xde, 0xad, 0xbe, 0xef],
        Some("x.json.gz"),
    )
    .unwrap_err();
    assert!(err.message.contains("gzip"), "{err}");
    assert_eq!(err.file.as_deref(), Some("x.json.gz"));
    // A valid gzip stream cut short.
    let whole = gzip(&fs::read(fixture("trail_log.json")).unwrap());
    let err = read_events(&whole[..whole.len() / 2], None).unwrap_err();
    assert!(err.message.contains("gzip"), "{err}");
    // Valid gzip around text that is not JSON.
    let err = read_events(&gzip(b"hello"), None).unwrap_err();
    assert!(err.message.contains("not valid JSON"), "{err}");
}

#[test]
fn bad_shapes_are_errors() {
    let err = read_path(&fixture("lookup_events_bad.json")).unwrap_err();
    assert!(err.message.contains("Events[0].CloudTrailEvent"), "{err}");
    let cases: &[(&str, &str)] = &[
        ("", "empty"),
        ("   \n", "empty"),
        ("42", "number"),
        (r#"{"Records": 5}"#, "not a list"),
        (r#"{"Records": [1]}"#, "Records[0]"),
        (r#"{"Events": [{"CloudTrailEvent": 7}]}"#, "CloudTrailEvent"),
        (r#"{"Events": [{"EventId": "x"}]}"#, "no CloudTrailEvent"),
        (r#"{"hello": "world"}"#, "not a CloudTrail event"),
        ("[1, 2]", "item 0"),
        (r#"{"Records": [{"eventName": "A"}]} {"#, "truncated"),
    ];
    for (input, needle) in cases {
        let err = read_events(input.as_bytes(), Some("in.json")).unwrap_err();
        assert!(err.message.contains(needle), "{input:?}: {err}");
        assert_eq!(err.file.as_deref(), Some("in.json"));
    }
    let err = read_path(Path::new("/nonexistent/iamwhy/cloudtrail")).unwrap_err();
    assert!(err.message.contains("cannot be read"), "{err}");
    let empty = scratch("empty");
    let err = read_path(empty.path()).unwrap_err();
    assert!(err.message.contains("no .json or .json.gz files"), "{err}");
}

#[test]
fn odd_records_never_panic() {
    let odd = [
        json!(null),
        json!(42),
        json!({}),
        json!({"userIdentity": 5, "resources": "x", "requestParameters": [1], "tlsDetails": 3}),
        json!({"userIdentity": {"type": "AssumedRole", "arn": "not-an-arn",
               "sessionContext": {"attributes": {"creationDate": "2026-13-45T99:99:99Z",
                                                 "mfaAuthenticated": true}}},
               "eventTime": "yesterday", "sourceIPAddress": "", "errorMessage": "User: perform: on resource: \"",
               "eventSource": "é.amazonaws.com", "eventName": "Ünïcode20150331v"}),
        json!({"userIdentity": {"type": "Root"}, "errorCode": "AccessDenied",
               "errorMessage": "is not authorized to perform: a:b on resource: with an explicit deny in a",
               "resources": [{"ARN": 1}, {"arn": "arn:aws:s3:::b"}],
               "requestParameters": {"tags": {"items": [{"key": 1}]}, "tagKeys": "x"}}),
        json!({"eventSource": "s3.amazonaws.com", "eventName": "GetObject",
               "requestParameters": {"bucketName": "b", "key": "k"},
               "userIdentity": {"type": "IAMUser", "accessKeyId": "ASIAX",
                                "sessionContext": {"attributes": {"creationDate": "20260301T0912+0100"}}}}),
    ];
    for ev in &odd {
        let o = observe(ev, None);
        assert!(!o.notes.is_empty());
    }
    // The last one: the object ARN from requestParameters; the odd creationDate is noted.
    let o = observe(&odd[6], None);
    assert_eq!(o.resource.as_deref(), Some("arn:aws:s3:::b/k"));
    assert!(has_note(&o, "not an ISO 8601 time"));
}

#[test]
fn error_codes_that_mean_denied() {
    for code in [
        "AccessDenied",
        "AccessDeniedException",
        "Client.UnauthorizedOperation",
        "UnauthorizedOperation",
        "VpceAccessDenied",
        "AuthorizationError",
        "Forbidden",
        "403",
    ] {
        assert!(is_denied(&json!({"errorCode": code})), "{code}");
    }
    for code in ["NoSuchKey", "ThrottlingException", "ValidationException"] {
        assert!(!is_denied(&json!({"errorCode": code})), "{code}");
    }
    assert!(is_denied(&json!({
        "errorCode": "Whatever",
        "errorMessage": "User: arn:aws:iam::1:user/x is not authorized to perform: sqs:SendMessage"
    })));
    assert!(!is_denied(&json!({})));
    let o = observe(
        &json!({"eventSource": "s3.amazonaws.com", "eventName": "GetObject", "errorCode": "NoSuchKey"}),
        None,
    );
    assert_eq!(o.allowed, None);
    assert!(has_note(&o, "is not an authorization failure"));
}
