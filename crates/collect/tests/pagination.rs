//! Pagination of `GetAccountAuthorizationDetails` (moto ignores MaxItems and always answers
//! with one page): an SDK client whose responses come from aws-smithy-mocks rules keyed by
//! the request's marker, as the real service pages them.

use aws_sdk_iam::operation::get_account_authorization_details::GetAccountAuthorizationDetailsOutput;
use aws_sdk_iam::types::{
    AttachedPolicy, GroupDetail, ManagedPolicyDetail, PolicyDetail, PolicyVersion, RoleDetail,
    UserDetail,
};
use aws_smithy_mocks::{MockResponseInterceptor, Rule, RuleMode, mock};
use aws_smithy_runtime_api::http::{Response, StatusCode};
use aws_smithy_types::body::SdkBody;
use iamwhy_collect::iam::authorization_details;
use iamwhy_collect::progress::Progress;
use iamwhy_collect::run::{Run, Scope};

const ACCOUNT: &str = "111122223333";

fn client(rules: &[&Rule]) -> aws_sdk_iam::Client {
    let mut interceptor = MockResponseInterceptor::new().rule_mode(RuleMode::MatchAny);
    for r in rules {
        interceptor = interceptor.with_rule(r);
    }
    let config = aws_sdk_iam::Config::builder()
        .behavior_version(aws_sdk_iam::config::BehaviorVersion::latest())
        .region(aws_sdk_iam::config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_iam::config::Credentials::new(
            "AKIDTEST", "secret", None, None, "test",
        ))
        .http_client(aws_smithy_mocks::create_mock_http_client())
        .interceptor(interceptor)
        .build();
    aws_sdk_iam::Client::from_conf(config)
}

fn encoded(doc: &str) -> String {
    doc.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn allow(action: &str) -> String {
    encoded(&format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"{action}","Resource":"*"}}]}}"#
    ))
}

/// Page `n` of 3: one user, group, role and managed policy each.
fn page(n: usize) -> GetAccountAuthorizationDetailsOutput {
    let policy_arn = format!("arn:aws:iam::{ACCOUNT}:policy/p{n}");
    let b = GetAccountAuthorizationDetailsOutput::builder()
        .user_detail_list(
            UserDetail::builder()
                .user_name(format!("user{n}"))
                .arn(format!("arn:aws:iam::{ACCOUNT}:user/user{n}"))
                .group_list(format!("group{n}"))
                .attached_managed_policies(
                    AttachedPolicy::builder()
                        .policy_name(format!("p{n}"))
                        .policy_arn(&policy_arn)
                        .build(),
                )
                .build(),
        )
        .group_detail_list(
            GroupDetail::builder()
                .group_name(format!("group{n}"))
                .arn(format!("arn:aws:iam::{ACCOUNT}:group/group{n}"))
                .group_policy_list(
                    PolicyDetail::builder()
                        .policy_name("inline")
                        .policy_document(allow("sqs:SendMessage"))
                        .build(),
                )
                .build(),
        )
        .role_detail_list(
            RoleDetail::builder()
                .role_name(format!("role{n}"))
                .arn(format!("arn:aws:iam::{ACCOUNT}:role/role{n}"))
                .assume_role_policy_document(encoded(
                    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#,
                ))
                .build(),
        )
        .policies(
            ManagedPolicyDetail::builder()
                .policy_name(format!("p{n}"))
                .arn(&policy_arn)
                .default_version_id("v1")
                .policy_version_list(
                    PolicyVersion::builder()
                        .document(allow(&format!("s3:GetObject{n}")))
                        .version_id("v1")
                        .is_default_version(true)
                        .build(),
                )
                .build(),
        );
    if n < 3 {
        b.is_truncated(true).marker(format!("m{n}")).build()
    } else {
        b.is_truncated(false).build()
    }
}

fn page_rule(n: usize) -> Rule {
    let expected = (n > 1).then(|| format!("m{}", n - 1));
    mock!(aws_sdk_iam::Client::get_account_authorization_details)
        .match_requests(move |req| req.marker() == expected.as_deref() && req.filter().len() == 5)
        .then_output(move || page(n))
}

fn run() -> (Run, Scope) {
    (
        Run::new(4, Progress::new(false)),
        Scope {
            account: ACCOUNT.into(),
            region: None,
            partition: "aws".into(),
        },
    )
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn every_page_is_requested_with_its_marker_and_merged() {
    let rules = [page_rule(1), page_rule(2), page_rule(3)];
    let iam = client(&rules.iter().collect::<Vec<_>>());
    let (run, scope) = run();
    let details = runtime()
        .block_on(authorization_details(&run, &scope, &iam))
        .expect("all pages read");
    assert!(run.take_failures().is_empty());
    for r in &rules {
        assert_eq!(r.num_calls(), 1, "each page is requested once");
    }
    assert_eq!(details.user_detail_list.len(), 3);
    assert_eq!(details.group_detail_list.len(), 3);
    assert_eq!(details.role_detail_list.len(), 3);
    assert_eq!(details.policies.len(), 3);

    // The merged file is a world the loader reads, with every page's entities.
    let dir = std::env::temp_dir().join(format!("iamwhy-collect-pages-{}", std::process::id()));
    let acct = dir.join("accounts").join(ACCOUNT);
    std::fs::create_dir_all(&acct).unwrap();
    std::fs::write(
        acct.join("authorization-details.json"),
        serde_json::to_string_pretty(&details).unwrap(),
    )
    .unwrap();
    let world = iamwhy_world::load_dir(&dir).expect("the merged pages load");
    let a = &world.accounts[ACCOUNT];
    assert_eq!(a.users.len(), 3);
    assert_eq!(a.roles.len(), 3);
    assert_eq!(a.managed.len(), 3);
    assert!(
        a.roles[&format!("arn:aws:iam::{ACCOUNT}:role/role2")]
            .trust
            .is_some()
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_refused_later_page_drops_the_account_and_is_a_failure() {
    let first = page_rule(1);
    let refused = mock!(aws_sdk_iam::Client::get_account_authorization_details)
        .match_requests(|req| req.marker() == Some("m1"))
        .then_http_response(|| {
            Response::new(
                StatusCode::try_from(403).unwrap(),
                SdkBody::from(
                    "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>not authorized to perform: iam:GetAccountAuthorizationDetails</Message></Error><RequestId>r</RequestId></ErrorResponse>",
                ),
            )
        });
    let iam = client(&[&first, &refused]);
    let (run, scope) = run();
    let details = runtime().block_on(authorization_details(&run, &scope, &iam));
    assert!(details.is_none(), "a partial inventory is not returned");
    let f = run.take_failures();
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].service, "iam");
    assert_eq!(f[0].operation, "GetAccountAuthorizationDetails");
    assert_eq!(f[0].error_code, "AccessDenied");
    assert!(f[0].missing.contains("was not written"), "{}", f[0].missing);
}

#[test]
fn a_repeated_marker_stops_instead_of_looping() {
    let looping = mock!(aws_sdk_iam::Client::get_account_authorization_details).then_output(|| {
        GetAccountAuthorizationDetailsOutput::builder()
            .is_truncated(true)
            .marker("same")
            .build()
    });
    let iam = client(&[&looping]);
    let (run, scope) = run();
    let details = runtime().block_on(authorization_details(&run, &scope, &iam));
    assert!(details.is_none());
    assert_eq!(looping.num_calls(), 2);
    let f = run.take_failures();
    assert!(f[0].message.contains("repeated the page marker"), "{f:#?}");
}
