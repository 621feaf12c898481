//! The regional services with resource policies: KMS keys, SQS queues, SNS topics, Secrets
//! Manager secrets, Lambda functions (with versions and aliases), ECR repositories,
//! EventBridge buses, OpenSearch domains and API Gateway REST APIs. Each lists its resources
//! and reads each one's policy and tags.
//!
//! A resource whose policy could not be read is left out (and the failure recorded): an
//! entry without a policy would claim it has none. A resource whose tags could not be read
//! is kept with no tags, and that failure is recorded too.

use crate::calls::*;
use crate::files::{self, ResourceEntry};
use crate::run::{Run, Scope};
use crate::sdk::Clients;
use futures_util::StreamExt;
use std::collections::{BTreeMap, HashMap};
use std::future::Future;

type Tags = BTreeMap<String, String>;

/// Run `f` on every item with at most `run.concurrency` in flight; keep the entries.
async fn each<T, F, Fut>(run: &Run, items: Vec<T>, f: F) -> Vec<ResourceEntry>
where
    F: Fn(T) -> Fut,
    Fut: Future<Output = Vec<ResourceEntry>>,
{
    let out: Vec<Vec<ResourceEntry>> = futures_util::stream::iter(items)
        .map(f)
        .buffer_unordered(run.concurrency)
        .collect()
        .await;
    out.into_iter().flatten().collect()
}

fn from_map(m: Option<&HashMap<String, String>>) -> Tags {
    m.map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default()
}

fn non_empty(policy: Option<&str>) -> Option<&str> {
    policy.filter(|p| !p.trim().is_empty())
}

fn listing(what: &str, scope: &Scope) -> impl Fn() -> String {
    let region = scope.region.clone().unwrap_or_default();
    let what = what.to_string();
    move || format!("the {what} in {region} and their policies")
}

/// KMS keys: key policy (`default`) and tags.
pub async fn kms(run: &Run, scope: &Scope, c: &Clients) -> Vec<ResourceEntry> {
    let kms = &c.kms;
    let Some(keys) = run
        .pages(
            scope,
            &KMS_LIST_KEYS,
            None,
            listing("KMS keys", scope),
            |token| async move {
                let o = kms.list_keys().set_marker(token).send().await?;
                let next = if o.truncated() {
                    o.next_marker().map(str::to_string)
                } else {
                    None
                };
                Ok((o.keys().to_vec(), next))
            },
        )
        .await
    else {
        return Vec::new();
    };
    each(run, keys, |k| async move {
        let (Some(id), Some(arn)) = (k.key_id(), k.key_arn()) else {
            return Vec::new();
        };
        let Some(policy) = run
            .call_or_fail(
                scope,
                &KMS_GET_KEY_POLICY,
                Some(arn),
                || format!("the key policy of key {id}"),
                kms.get_key_policy()
                    .key_id(id)
                    .policy_name("default")
                    .send(),
            )
            .await
        else {
            return Vec::new();
        };
        let tags = run
            .pages(
                scope,
                &KMS_LIST_RESOURCE_TAGS,
                Some(arn),
                || format!("the tags of key {id}"),
                |token| async move {
                    let o = kms
                        .list_resource_tags()
                        .key_id(id)
                        .set_marker(token)
                        .send()
                        .await?;
                    let next = if o.truncated() {
                        o.next_marker().map(str::to_string)
                    } else {
                        None
                    };
                    Ok((
                        o.tags()
                            .iter()
                            .map(|t| (t.tag_key().to_string(), t.tag_value().to_string()))
                            .collect::<Vec<_>>(),
                        next,
                    ))
                },
            )
            .await
            .unwrap_or_default();
        vec![ResourceEntry::new(
            arn,
            non_empty(policy.policy()).map(files::document),
            tags.into_iter().collect(),
        )]
    })
    .await
}

/// The ARN of a queue from its URL (`https://sqs.REGION.amazonaws.com/ACCOUNT/NAME`).
pub fn queue_arn(url: &str, scope: &Scope) -> String {
    let mut parts = url.trim_end_matches('/').rsplit('/');
    let name = parts.next().unwrap_or_default();
    let account = parts.next().unwrap_or(&scope.account);
    format!(
        "arn:{}:sqs:{}:{account}:{name}",
        scope.partition,
        scope.region.as_deref().unwrap_or_default()
    )
}

/// SQS queues: policy and tags.
pub async fn sqs(run: &Run, scope: &Scope, c: &Clients) -> Vec<ResourceEntry> {
    use aws_sdk_sqs::types::QueueAttributeName;
    let sqs = &c.sqs;
    let Some(urls) = run
        .pages(
            scope,
            &SQS_LIST_QUEUES,
            None,
            listing("SQS queues", scope),
            |token| async move {
                let o = sqs
                    .list_queues()
                    .set_next_token(token)
                    .max_results(1000)
                    .send()
                    .await?;
                Ok((o.queue_urls().to_vec(), o.next_token().map(str::to_string)))
            },
        )
        .await
    else {
        return Vec::new();
    };
    each(run, urls, |url| async move {
        let guess = queue_arn(&url, scope);
        let Some(attrs) = run
            .call_or_fail(
                scope,
                &SQS_GET_QUEUE_ATTRIBUTES,
                Some(&guess),
                || format!("the policy of queue {url}"),
                sqs.get_queue_attributes()
                    .queue_url(&url)
                    .attribute_names(QueueAttributeName::Policy)
                    .attribute_names(QueueAttributeName::QueueArn)
                    .send(),
            )
            .await
        else {
            return Vec::new();
        };
        let attrs = attrs.attributes();
        let arn = attrs
            .and_then(|a| a.get(&QueueAttributeName::QueueArn))
            .cloned()
            .unwrap_or(guess);
        let policy = non_empty(
            attrs
                .and_then(|a| a.get(&QueueAttributeName::Policy))
                .map(String::as_str),
        )
        .map(files::document);
        let tags = run
            .call_or_fail(
                scope,
                &SQS_LIST_QUEUE_TAGS,
                Some(&arn),
                || format!("the tags of queue {url}"),
                sqs.list_queue_tags().queue_url(&url).send(),
            )
            .await
            .map(|o| from_map(o.tags()))
            .unwrap_or_default();
        vec![ResourceEntry::new(arn, policy, tags)]
    })
    .await
}

/// SNS topics: policy and tags.
pub async fn sns(run: &Run, scope: &Scope, c: &Clients) -> Vec<ResourceEntry> {
    let sns = &c.sns;
    let Some(topics) = run
        .pages(
            scope,
            &SNS_LIST_TOPICS,
            None,
            listing("SNS topics", scope),
            |token| async move {
                let o = sns.list_topics().set_next_token(token).send().await?;
                Ok((
                    o.topics()
                        .iter()
                        .filter_map(|t| t.topic_arn().map(str::to_string))
                        .collect::<Vec<_>>(),
                    o.next_token().map(str::to_string),
                ))
            },
        )
        .await
    else {
        return Vec::new();
    };
    each(run, topics, |arn| async move {
        let Some(attrs) = run
            .call_or_fail(
                scope,
                &SNS_GET_TOPIC_ATTRIBUTES,
                Some(&arn),
                || format!("the policy of topic {arn}"),
                sns.get_topic_attributes().topic_arn(&arn).send(),
            )
            .await
        else {
            return Vec::new();
        };
        let policy = non_empty(
            attrs
                .attributes()
                .and_then(|a| a.get("Policy"))
                .map(String::as_str),
        )
        .map(files::document);
        let tags = run
            .call_or_fail(
                scope,
                &SNS_LIST_TAGS_FOR_RESOURCE,
                Some(&arn),
                || format!("the tags of topic {arn}"),
                sns.list_tags_for_resource().resource_arn(&arn).send(),
            )
            .await
            .map(|o| {
                o.tags()
                    .iter()
                    .map(|t| (t.key().to_string(), t.value().to_string()))
                    .collect()
            })
            .unwrap_or_default();
        vec![ResourceEntry::new(arn, policy, tags)]
    })
    .await
}

/// Secrets Manager secrets: resource policy (tags come with the listing).
pub async fn secrets(run: &Run, scope: &Scope, c: &Clients) -> Vec<ResourceEntry> {
    let sm = &c.secrets;
    let Some(list) = run
        .pages(
            scope,
            &SECRETS_LIST_SECRETS,
            None,
            listing("Secrets Manager secrets", scope),
            |token| async move {
                let o = sm.list_secrets().set_next_token(token).send().await?;
                Ok((o.secret_list().to_vec(), o.next_token().map(str::to_string)))
            },
        )
        .await
    else {
        return Vec::new();
    };
    each(run, list, |s| async move {
        let Some(arn) = s.arn() else {
            return Vec::new();
        };
        let Some(p) = run
            .call_or_fail(
                scope,
                &SECRETS_GET_RESOURCE_POLICY,
                Some(arn),
                || format!("the resource policy of secret {}", s.name().unwrap_or(arn)),
                sm.get_resource_policy().secret_id(arn).send(),
            )
            .await
        else {
            return Vec::new();
        };
        let tags = s
            .tags()
            .iter()
            .filter_map(|t| {
                Some((
                    t.key()?.to_string(),
                    t.value().unwrap_or_default().to_string(),
                ))
            })
            .collect();
        vec![ResourceEntry::new(
            arn,
            non_empty(p.resource_policy()).map(files::document),
            tags,
        )]
    })
    .await
}

/// Lambda functions, their published versions and aliases: each one's policy; the
/// function's tags (versions and aliases carry the function's).
pub async fn lambda(run: &Run, scope: &Scope, c: &Clients) -> Vec<ResourceEntry> {
    let lambda = &c.lambda;
    let Some(functions) = run
        .pages(
            scope,
            &LAMBDA_LIST_FUNCTIONS,
            None,
            listing("Lambda functions", scope),
            |token| async move {
                let o = lambda.list_functions().set_marker(token).send().await?;
                Ok((o.functions().to_vec(), o.next_marker().map(str::to_string)))
            },
        )
        .await
    else {
        return Vec::new();
    };
    each(run, functions, |f| async move {
        let Some(arn) = f.function_arn().map(str::to_string) else {
            return Vec::new();
        };
        let name = f.function_name().unwrap_or(&arn).to_string();
        let policy_of = |qualified: String, qualifier: Option<String>| {
            let name = name.clone();
            async move {
                match run
                    .call(
                        &LAMBDA_GET_POLICY,
                        lambda
                            .get_policy()
                            .function_name(&name)
                            .set_qualifier(qualifier)
                            .send(),
                    )
                    .await
                {
                    Ok(o) => Some((qualified, non_empty(o.policy()).map(files::document))),
                    Err(e) if e.is(&["ResourceNotFoundException"]) => Some((qualified, None)),
                    Err(e) => {
                        run.fail(
                            scope,
                            &LAMBDA_GET_POLICY,
                            Some(&qualified),
                            &e,
                            format!("the policy of function {qualified}"),
                        );
                        None
                    }
                }
            }
        };
        let versions = run
            .pages(
                scope,
                &LAMBDA_LIST_VERSIONS_BY_FUNCTION,
                Some(&arn),
                || format!("the versions of function {name} and their policies"),
                |token| {
                    let name = name.clone();
                    async move {
                        let o = lambda
                            .list_versions_by_function()
                            .function_name(name)
                            .set_marker(token)
                            .send()
                            .await?;
                        Ok((
                            o.versions()
                                .iter()
                                .filter_map(|v| v.version().map(str::to_string))
                                .filter(|v| v != "$LATEST")
                                .collect::<Vec<_>>(),
                            o.next_marker().map(str::to_string),
                        ))
                    }
                },
            )
            .await
            .unwrap_or_default();
        let aliases = run
            .pages(
                scope,
                &LAMBDA_LIST_ALIASES,
                Some(&arn),
                || format!("the aliases of function {name} and their policies"),
                |token| {
                    let name = name.clone();
                    async move {
                        let o = lambda
                            .list_aliases()
                            .function_name(name)
                            .set_marker(token)
                            .send()
                            .await?;
                        Ok((
                            o.aliases()
                                .iter()
                                .filter_map(|a| a.name().map(str::to_string))
                                .collect::<Vec<_>>(),
                            o.next_marker().map(str::to_string),
                        ))
                    }
                },
            )
            .await
            .unwrap_or_default();
        let tags = run
            .call_or_fail(
                scope,
                &LAMBDA_LIST_TAGS,
                Some(&arn),
                || format!("the tags of function {name}"),
                lambda.list_tags().resource(&arn).send(),
            )
            .await
            .map(|o| from_map(o.tags()))
            .unwrap_or_default();
        let mut targets = vec![(arn.clone(), None)];
        for q in versions.into_iter().chain(aliases) {
            targets.push((format!("{arn}:{q}"), Some(q)));
        }
        let mut out = Vec::new();
        for (qualified, qualifier) in targets {
            if let Some((a, p)) = policy_of(qualified, qualifier).await {
                out.push(ResourceEntry::new(a, p, tags.clone()));
            }
        }
        out
    })
    .await
}

/// ECR repositories: policy and tags.
pub async fn ecr(run: &Run, scope: &Scope, c: &Clients) -> Vec<ResourceEntry> {
    let ecr = &c.ecr;
    let Some(repos) = run
        .pages(
            scope,
            &ECR_DESCRIBE_REPOSITORIES,
            None,
            listing("ECR repositories", scope),
            |token| async move {
                let o = ecr
                    .describe_repositories()
                    .set_next_token(token)
                    .send()
                    .await?;
                Ok((
                    o.repositories().to_vec(),
                    o.next_token().map(str::to_string),
                ))
            },
        )
        .await
    else {
        return Vec::new();
    };
    each(run, repos, |r| async move {
        let (Some(arn), Some(name)) = (r.repository_arn(), r.repository_name()) else {
            return Vec::new();
        };
        let policy = match run
            .call(
                &ECR_GET_REPOSITORY_POLICY,
                ecr.get_repository_policy().repository_name(name).send(),
            )
            .await
        {
            Ok(o) => non_empty(o.policy_text()).map(files::document),
            Err(e) if e.is(&["RepositoryPolicyNotFoundException"]) => None,
            Err(e) => {
                run.fail(
                    scope,
                    &ECR_GET_REPOSITORY_POLICY,
                    Some(arn),
                    &e,
                    format!("the policy of repository {name}"),
                );
                return Vec::new();
            }
        };
        let tags = run
            .call_or_fail(
                scope,
                &ECR_LIST_TAGS_FOR_RESOURCE,
                Some(arn),
                || format!("the tags of repository {name}"),
                ecr.list_tags_for_resource().resource_arn(arn).send(),
            )
            .await
            .map(|o| {
                o.tags()
                    .iter()
                    .map(|t| (t.key().to_string(), t.value().to_string()))
                    .collect()
            })
            .unwrap_or_default();
        vec![ResourceEntry::new(arn, policy, tags)]
    })
    .await
}

/// EventBridge event buses: policy (from the listing) and tags.
pub async fn events(run: &Run, scope: &Scope, c: &Clients) -> Vec<ResourceEntry> {
    let ev = &c.events;
    let Some(buses) = run
        .pages(
            scope,
            &EVENTS_LIST_EVENT_BUSES,
            None,
            listing("EventBridge event buses", scope),
            |token| async move {
                let o = ev.list_event_buses().set_next_token(token).send().await?;
                Ok((o.event_buses().to_vec(), o.next_token().map(str::to_string)))
            },
        )
        .await
    else {
        return Vec::new();
    };
    each(run, buses, |b| async move {
        let Some(arn) = b.arn() else {
            return Vec::new();
        };
        let tags = run
            .call_or_fail(
                scope,
                &EVENTS_LIST_TAGS_FOR_RESOURCE,
                Some(arn),
                || format!("the tags of event bus {}", b.name().unwrap_or(arn)),
                ev.list_tags_for_resource().resource_arn(arn).send(),
            )
            .await
            .map(|o| {
                o.tags()
                    .iter()
                    .map(|t| (t.key().to_string(), t.value().to_string()))
                    .collect()
            })
            .unwrap_or_default();
        vec![ResourceEntry::new(
            arn,
            non_empty(b.policy()).map(files::document),
            tags,
        )]
    })
    .await
}

/// OpenSearch domains: access policy (five domains per DescribeDomains) and tags.
pub async fn opensearch(run: &Run, scope: &Scope, c: &Clients) -> Vec<ResourceEntry> {
    let os = &c.opensearch;
    let missing = listing("OpenSearch domains", scope);
    let Some(names) = run
        .call_or_fail(
            scope,
            &ES_LIST_DOMAIN_NAMES,
            None,
            &missing,
            os.list_domain_names().send(),
        )
        .await
    else {
        return Vec::new();
    };
    let names: Vec<String> = names
        .domain_names()
        .iter()
        .filter_map(|d| d.domain_name().map(str::to_string))
        .collect();
    let batches: Vec<Vec<String>> = names.chunks(5).map(<[String]>::to_vec).collect();
    each(run, batches, |batch| async move {
        let Some(described) = run
            .call_or_fail(
                scope,
                &ES_DESCRIBE_DOMAINS,
                None,
                || {
                    format!(
                        "the access policies of OpenSearch domains {}",
                        batch.join(", ")
                    )
                },
                os.describe_domains()
                    .set_domain_names(Some(batch.clone()))
                    .send(),
            )
            .await
        else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for d in described.domain_status_list() {
            let arn = d.arn().to_string();
            let tags = run
                .call_or_fail(
                    scope,
                    &ES_LIST_TAGS,
                    Some(&arn),
                    || format!("the tags of OpenSearch domain {}", d.domain_name()),
                    os.list_tags().arn(&arn).send(),
                )
                .await
                .map(|o| {
                    o.tag_list()
                        .iter()
                        .map(|t| (t.key().to_string(), t.value().to_string()))
                        .collect()
                })
                .unwrap_or_default();
            out.push(ResourceEntry::new(
                arn,
                non_empty(d.access_policies()).map(files::document),
                tags,
            ));
        }
        out
    })
    .await
}

/// API Gateway REST APIs: resource policy and tags (both in the listing), keyed by the
/// API's `execute-api` ARN (`arn:aws:execute-api:REGION:ACCOUNT:API_ID`).
pub async fn apigateway(run: &Run, scope: &Scope, c: &Clients) -> Vec<ResourceEntry> {
    let api = &c.apigateway;
    let Some(items) = run
        .pages(
            scope,
            &APIGATEWAY_GET_REST_APIS,
            None,
            listing("API Gateway REST APIs", scope),
            |token| async move {
                let o = api
                    .get_rest_apis()
                    .set_position(token)
                    .limit(500)
                    .send()
                    .await?;
                Ok((o.items().to_vec(), o.position().map(str::to_string)))
            },
        )
        .await
    else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|a| {
            let id = a.id()?;
            Some(ResourceEntry::new(
                format!(
                    "arn:{}:execute-api:{}:{}:{id}",
                    scope.partition,
                    scope.region.as_deref().unwrap_or_default(),
                    scope.account
                ),
                non_empty(a.policy()).map(files::escaped_document),
                from_map(a.tags()),
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_arns_come_from_their_urls() {
        let scope = Scope {
            account: "111111111111".into(),
            region: Some("eu-west-1".into()),
            partition: "aws".into(),
        };
        assert_eq!(
            queue_arn(
                "https://sqs.eu-west-1.amazonaws.com/222222222222/orders",
                &scope
            ),
            "arn:aws:sqs:eu-west-1:222222222222:orders"
        );
    }
}
