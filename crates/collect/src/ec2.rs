//! EC2: the enabled regions, and each region's VPC endpoints with their policies.

use crate::calls::*;
use crate::files::{self, VpcEndpoint};
use crate::run::{Run, Scope};
use aws_smithy_types::date_time::Format;

/// The regions enabled for the account (`DescribeRegions` lists only those by default),
/// sorted; `None` (failure recorded) when they could not be listed.
pub async fn enabled_regions(
    run: &Run,
    scope: &Scope,
    ec2: &aws_sdk_ec2::Client,
) -> Option<Vec<String>> {
    let o = run
        .call_or_fail(
            scope,
            &EC2_DESCRIBE_REGIONS,
            None,
            || "the list of enabled regions (only the home region was collected)".into(),
            ec2.describe_regions().send(),
        )
        .await?;
    let mut regions: Vec<String> = o
        .regions()
        .iter()
        .filter(|r| r.opt_in_status().is_none_or(|s| s != "not-opted-in"))
        .filter_map(|r| r.region_name().map(str::to_string))
        .collect();
    regions.sort();
    regions.dedup();
    Some(regions)
}

/// The region's VPC endpoints, or `None` (failure recorded).
pub async fn vpc_endpoints(
    run: &Run,
    scope: &Scope,
    ec2: &aws_sdk_ec2::Client,
) -> Option<Vec<VpcEndpoint>> {
    let region = scope.region.clone().unwrap_or_default();
    let list = run
        .pages(
            scope,
            &EC2_DESCRIBE_VPC_ENDPOINTS,
            None,
            || format!("the VPC endpoints in {region} and their policies"),
            |token| async move {
                let o = ec2
                    .describe_vpc_endpoints()
                    .set_next_token(token)
                    .send()
                    .await?;
                Ok((
                    o.vpc_endpoints().to_vec(),
                    o.next_token().map(str::to_string),
                ))
            },
        )
        .await?;
    Some(
        list.iter()
            .filter_map(|e| {
                Some(VpcEndpoint {
                    vpc_endpoint_id: e.vpc_endpoint_id()?.to_string(),
                    vpc_endpoint_type: e.vpc_endpoint_type().map(|t| t.as_str().to_string()),
                    vpc_id: e.vpc_id().map(str::to_string),
                    service_name: e.service_name().map(str::to_string),
                    state: e.state().map(|s| s.as_str().to_string()),
                    policy_document: e.policy_document().map(str::to_string),
                    route_table_ids: e.route_table_ids().to_vec(),
                    subnet_ids: e.subnet_ids().to_vec(),
                    private_dns_enabled: e.private_dns_enabled(),
                    creation_timestamp: e
                        .creation_timestamp()
                        .and_then(|d| d.fmt(Format::DateTime).ok()),
                    tags: e
                        .tags()
                        .iter()
                        .filter_map(|t| {
                            Some(files::Tag {
                                key: t.key()?.to_string(),
                                value: t.value().unwrap_or_default().to_string(),
                            })
                        })
                        .collect(),
                    owner_id: e.owner_id().map(str::to_string),
                })
            })
            .collect(),
    )
}
