//! Global condition keys: our own table of the `aws:` keys (and the few service-issued
//! credential keys that behave like them), written by hand from AWS's table of global condition keys. The service
//! data does not describe them. Types follow the AWS spelling; multivalued keys are given the
//! `ArrayOf...` form of their element type.

use crate::types::ConditionKeyType;
use crate::types::ConditionKeyType::{Arn, ArrayOfString, Bool, Date, IpAddress, Numeric, String};

/// One global condition key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GlobalKey {
    /// Canonical name; tag keys are written `aws:RequestTag/${TagKey}`.
    pub name: &'static str,
    /// The data type (`ArrayOf...` for multivalued keys).
    pub key_type: ConditionKeyType,
    /// AWS lists the key as sensitive: a wildcard in its value has no valid use.
    pub sensitive: bool,
    /// One line on when the request context carries the key.
    pub present: &'static str,
}

impl GlobalKey {
    /// Whether the key is multivalued (needs `ForAnyValue`/`ForAllValues`).
    pub fn is_multivalued(&self) -> bool {
        self.key_type.is_array()
    }

    /// Whether the name ends in a `${TagKey}` placeholder (`aws:PrincipalTag/...`).
    pub fn is_patterned(&self) -> bool {
        self.name.ends_with(TAG_PLACEHOLDER)
    }

    /// Whether `key` names this global key, ASCII case-insensitively; a patterned key matches
    /// any non-empty tag key (`aws:RequestTag/env`).
    pub fn matches(&self, key: &str) -> bool {
        match self.name.strip_suffix(TAG_PLACEHOLDER) {
            Some(prefix) => {
                key.len() > prefix.len()
                    && key.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
            }
            None => key.eq_ignore_ascii_case(self.name),
        }
    }
}

const TAG_PLACEHOLDER: &str = "${TagKey}";

const fn key(
    name: &'static str,
    key_type: ConditionKeyType,
    sensitive: bool,
    present: &'static str,
) -> GlobalKey {
    GlobalKey {
        name,
        key_type,
        sensitive,
        present,
    }
}

/// Every global key we know, in the order of the spec's table.
#[rustfmt::skip]
pub static GLOBAL_KEYS: &[GlobalKey] = &[
    // Principal properties.
    key("aws:PrincipalArn", Arn, false, "every signed request; a role session gives the role ARN, never the session ARN; absent for anonymous"),
    key("aws:PrincipalAccount", String, true, "always; `anonymous` for anonymous requests"),
    key("aws:PrincipalOrgID", String, true, "when the principal's account is in an organization; absent for anonymous"),
    key("aws:PrincipalOrgPaths", ArrayOfString, false, "when the principal's account is in an organization (`o-.../r-.../ou-.../`)"),
    key("aws:PrincipalTag/${TagKey}", String, false, "when the user, role or session carries tag TagKey (session tags override role tags)"),
    key("aws:PrincipalIsAWSService", Bool, false, "every signed request: true only when the caller is a service principal"),
    key("aws:PrincipalServiceName", String, false, "only when the caller is a service principal"),
    key("aws:PrincipalServiceNamesList", ArrayOfString, false, "only when the caller is a service principal (all its names)"),
    key("aws:PrincipalType", String, false, "always: Account, User, FederatedUser, AssumedRole or Anonymous"),
    key("aws:userid", String, false, "always (`anonymous` for anonymous requests)"),
    key("aws:username", String, false, "IAM users only; absent for root, roles, federated users and anonymous"),
    key("aws:AssumedRoot", Bool, false, "sessions from sts:AssumeRoot (privileged root tasks)"),
    key("aws:FederatedProvider", String, false, "role sessions issued through an OIDC or SAML identity provider"),
    key("aws:TokenIssueTime", Date, false, "temporary credentials only"),
    key("aws:SignInSessionArn", Arn, false, "console sign-in sessions"),
    key("aws:MultiFactorAuthAge", Numeric, false, "seconds since MFA; only when MFA was used with temporary credentials"),
    key("aws:MultiFactorAuthPresent", Bool, false, "temporary credentials only; absent for long-term access keys"),
    key("aws:ChatbotSourceArn", Arn, false, "requests from AWS Chatbot / Amazon Q chat channel configurations"),
    key("aws:Ec2InstanceSourceVpc", String, false, "requests signed with EC2 instance-role credentials (the instance's VPC)"),
    key("aws:Ec2InstanceSourcePrivateIPv4", IpAddress, false, "requests signed with EC2 instance-role credentials (primary private IPv4)"),
    key("aws:SourceIdentity", String, false, "after a source identity is set on a role session; persists across role chaining"),
    key("aws:ViaCustomerDomain", Bool, false, "requests through customer domains (newer key; also seen as a string)"),
    // Keys issued with service-provided role credentials.
    key("ec2:RoleDelivery", Numeric, false, "EC2 instance-role credentials: 1.0 (IMDSv1) or 2.0 (IMDSv2)"),
    key("ec2:SourceInstanceArn", Arn, false, "EC2 instance-role credentials: the instance ARN"),
    key("glue:RoleAssumedBy", String, false, "Glue-issued role credentials"),
    key("glue:CredentialIssuingService", String, false, "Glue-issued role credentials"),
    key("codebuild:BuildArn", Arn, false, "CodeBuild-issued role credentials"),
    key("codebuild:ProjectArn", Arn, false, "CodeBuild-issued role credentials"),
    key("lambda:SourceFunctionArn", Arn, false, "Lambda execution-role credentials"),
    key("ssm:SourceInstanceArn", Arn, false, "SSM-managed instance credentials"),
    key("identitystore:UserId", String, false, "IAM Identity Center user sessions"),
    // Network.
    key("aws:SourceIp", IpAddress, false, "every request except those arriving through a VPC endpoint"),
    key("aws:SourceVpc", String, true, "only through a VPC endpoint"),
    key("aws:SourceVpcArn", Arn, false, "only through a VPC endpoint, for services that support it"),
    key("aws:SourceVpce", String, true, "only through a VPC endpoint (`vpce-...`)"),
    key("aws:VpceAccount", String, true, "only through a VPC endpoint of a supporting service: the endpoint owner's account"),
    key("aws:VpceOrgID", String, true, "only through a VPC endpoint of a supporting service: the endpoint owner's organization"),
    key("aws:VpceOrgPaths", ArrayOfString, false, "only through a VPC endpoint of a supporting service"),
    key("aws:VpcSourceIp", IpAddress, false, "only through a VPC endpoint: the client's private IP"),
    // Resource properties.
    key("aws:ResourceAccount", String, true, "most actions: the account that owns the resource"),
    key("aws:ResourceOrgID", String, true, "when the resource owner is in an organization (not for every action)"),
    key("aws:ResourceOrgPaths", ArrayOfString, false, "when the resource owner is in an organization (not for every action)"),
    key("aws:ResourceTag/${TagKey}", String, false, "when the target resource has tag TagKey, for services that support ABAC"),
    // Request properties.
    key("aws:CalledVia", ArrayOfString, false, "when a supporting service made the call with the caller's credentials (FAS)"),
    key("aws:CalledViaFirst", String, false, "when aws:CalledVia is present: its first service"),
    key("aws:CalledViaLast", String, false, "when aws:CalledVia is present: its last service"),
    key("aws:CalledViaAWSMCP", String, false, "requests routed through an AWS-managed MCP server (its service principal)"),
    key("aws:ViaAWSService", Bool, false, "always: true when a service uses the principal's credentials (FAS)"),
    key("aws:ViaAWSMCPService", Bool, false, "requests through an AWS-managed MCP server"),
    key("aws:IsMcpServiceAction", Bool, false, "actions of MCP services (newer key)"),
    key("aws:CurrentTime", Date, false, "always"),
    key("aws:EpochTime", Date, false, "always (epoch seconds; numeric operators also work)"),
    key("aws:referer", String, false, "only browser-linked requests (S3); client-controlled"),
    key("aws:RequestedRegion", String, false, "always: the region of the endpoint called (us-east-1 for global services)"),
    key("aws:RequestTag/${TagKey}", String, false, "when the request passes tag TagKey"),
    key("aws:TagKeys", ArrayOfString, false, "when the operation accepts tags: the tag keys in the request"),
    key("aws:SecureTransport", Bool, false, "always: true when the request used TLS"),
    key("aws:SourceAccount", String, true, "only when a service principal calls on behalf of a resource owner"),
    key("aws:SourceArn", Arn, false, "only when a service principal calls on behalf of a resource"),
    key("aws:SourceOrgID", String, true, "only when a service principal calls on behalf of a resource in an organization"),
    key("aws:SourceOrgPaths", ArrayOfString, false, "only when a service principal calls on behalf of a resource in an organization"),
    key("aws:UserAgent", String, false, "always; client-controlled"),
];

/// The global key `name` names, ASCII case-insensitively (`aws:requesttag/env` finds
/// `aws:RequestTag/${TagKey}`).
pub fn global_key(name: &str) -> Option<&'static GlobalKey> {
    GLOBAL_KEYS.iter().find(|k| k.matches(name))
}

#[cfg(test)]
mod tests {
    use super::{GLOBAL_KEYS, global_key};
    use crate::types::ConditionKeyType;

    #[test]
    fn names_are_unique() {
        for (i, a) in GLOBAL_KEYS.iter().enumerate() {
            for b in &GLOBAL_KEYS[i + 1..] {
                assert!(!a.name.eq_ignore_ascii_case(b.name), "{} twice", a.name);
            }
        }
    }

    #[test]
    fn lookups() {
        let k = global_key("AWS:TAGKEYS").expect("known");
        assert_eq!(k.name, "aws:TagKeys");
        assert!(k.is_multivalued());
        let t = global_key("aws:PrincipalTag/team").expect("patterned");
        assert_eq!(t.name, "aws:PrincipalTag/${TagKey}");
        assert_eq!(t.key_type, ConditionKeyType::String);
        assert!(global_key("aws:PrincipalTag/").is_none());
        assert!(global_key("aws:NoSuchKey").is_none());
        assert!(global_key("aws:SourceVpce").expect("known").sensitive);
    }
}
