//! S3: the account's buckets (one listing for the account), and for each its region, policy
//! and tags, read from a client in the bucket's own region.

use crate::calls::*;
use crate::files::{self, ResourceEntry};
use crate::run::{Run, Scope};
use aws_config::SdkConfig;
use futures_util::StreamExt;
use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

/// The region a `GetBucketLocation` constraint stands for (none: `us-east-1`; `EU`: the
/// legacy name of `eu-west-1`).
pub fn region_of_constraint(constraint: Option<&str>) -> String {
    match constraint {
        None | Some("") => "us-east-1".into(),
        Some("EU") => "eu-west-1".into(),
        Some(r) => r.to_string(),
    }
}

/// S3 clients by region, built on first use.
struct RegionalClients<'a> {
    base: &'a SdkConfig,
    recorder: &'a crate::sdk::Recorder,
    path_style: bool,
    clients: Mutex<HashMap<String, aws_sdk_s3::Client>>,
}

impl RegionalClients<'_> {
    fn get(&self, region: &str) -> aws_sdk_s3::Client {
        let mut m = self.clients.lock().unwrap_or_else(|e| e.into_inner());
        m.entry(region.to_string())
            .or_insert_with(|| {
                let config = crate::sdk::in_region(self.base, region);
                aws_sdk_s3::Client::from_conf(
                    aws_sdk_s3::config::Builder::from(&config)
                        .force_path_style(self.path_style)
                        .interceptor(self.recorder.clone())
                        .build(),
                )
            })
            .clone()
    }
}

/// Every bucket of the account with its policy, tags and region.
pub async fn buckets(
    run: &Run,
    scope: &Scope,
    home: &aws_sdk_s3::Client,
    config: &SdkConfig,
    recorder: &crate::sdk::Recorder,
    path_style: bool,
) -> Vec<ResourceEntry> {
    let Some(list) = run
        .pages(
            scope,
            &S3_LIST_BUCKETS,
            None,
            || "the account's S3 buckets and their policies".into(),
            |token| async move {
                let o = home
                    .list_buckets()
                    .set_continuation_token(token)
                    .send()
                    .await?;
                Ok((
                    o.buckets().to_vec(),
                    o.continuation_token().map(str::to_string),
                ))
            },
        )
        .await
    else {
        return Vec::new();
    };
    let clients = RegionalClients {
        base: config,
        recorder,
        path_style,
        clients: Mutex::new(HashMap::new()),
    };
    let clients = &clients;
    let entries: Vec<Option<ResourceEntry>> = futures_util::stream::iter(list)
        .map(|b| async move {
            let name = b.name()?.to_string();
            let arn = format!("arn:{}:s3:::{name}", scope.partition);
            let region = match b.bucket_region() {
                Some(r) => r.to_string(),
                None => {
                    let loc = run
                        .call_or_fail(
                            scope,
                            &S3_GET_BUCKET_LOCATION,
                            Some(&arn),
                            || {
                                format!(
                                    "the policy and tags of bucket {name} (its region is unknown)"
                                )
                            },
                            home.get_bucket_location().bucket(&name).send(),
                        )
                        .await?;
                    region_of_constraint(loc.location_constraint().map(|c| c.as_str()))
                }
            };
            let s3 = clients.get(&region);
            let at = scope.at(None);
            let policy = match run
                .call(
                    &S3_GET_BUCKET_POLICY,
                    s3.get_bucket_policy().bucket(&name).send(),
                )
                .await
            {
                Ok(o) => o.policy().map(files::document),
                Err(e) if e.is(&["NoSuchBucketPolicy"]) => None,
                Err(e) => {
                    run.fail(
                        &at,
                        &S3_GET_BUCKET_POLICY,
                        Some(&arn),
                        &e,
                        format!("the policy of bucket {name}"),
                    );
                    return None;
                }
            };
            let tags = match run
                .call(
                    &S3_GET_BUCKET_TAGGING,
                    s3.get_bucket_tagging().bucket(&name).send(),
                )
                .await
            {
                Ok(o) => o
                    .tag_set()
                    .iter()
                    .map(|t| (t.key().to_string(), t.value().to_string()))
                    .collect(),
                Err(e) if e.is(&["NoSuchTagSet", "NoSuchTagSetError"]) => BTreeMap::new(),
                Err(e) => {
                    run.fail(
                        &at,
                        &S3_GET_BUCKET_TAGGING,
                        Some(&arn),
                        &e,
                        format!("the tags of bucket {name}"),
                    );
                    BTreeMap::new()
                }
            };
            Some(ResourceEntry {
                arn,
                policy,
                tags,
                region: Some(region),
            })
        })
        .buffer_unordered(run.concurrency)
        .collect()
        .await;
    entries.into_iter().flatten().collect()
}

#[cfg(test)]
mod tests {
    use super::region_of_constraint;

    #[test]
    fn location_constraints_name_their_regions() {
        assert_eq!(region_of_constraint(None), "us-east-1");
        assert_eq!(region_of_constraint(Some("")), "us-east-1");
        assert_eq!(region_of_constraint(Some("EU")), "eu-west-1");
        assert_eq!(region_of_constraint(Some("ap-south-2")), "ap-south-2");
    }
}
