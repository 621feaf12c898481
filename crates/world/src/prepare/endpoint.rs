//! The VPC endpoint step: the endpoint a request goes through, its policy (AWS's default
//! allow-all when it has none), and the keys AWS sets for requests through it.

use super::context::InferredKey;
use crate::model::{Policy, World};
use iamwhy_diagnostic::Diagnostic;
use iamwhy_engine::CompiledPolicy;
use iamwhy_policy::{PolicyDocument, PolicyType};
use std::sync::{Arc, OnceLock};

/// A VPC endpoint found in the world.
#[derive(Debug, Clone)]
pub struct ResolvedEndpoint {
    /// Its policy (the default full-access policy when the endpoint has none).
    pub policy: Policy,
    /// `aws:SourceVpce`, `aws:SourceVpc`, `aws:VpceAccount`.
    pub keys: Vec<InferredKey>,
}

impl World {
    /// The endpoint step of [`World::prepare`]: find endpoint `id` in every account's
    /// vpc-endpoints.json.
    pub fn resolve_endpoint(&self, id: &str) -> Result<ResolvedEndpoint, Diagnostic> {
        let endpoint = self
            .accounts
            .values()
            .find_map(|a| a.endpoints.get(id))
            .ok_or_else(|| {
                Diagnostic::error(
                    "unknown-vpc-endpoint",
                    format!("VPC endpoint {id} is not in any account's vpc-endpoints.json"),
                )
            })?;
        let from = format!("VPC endpoint {id}");
        let mut keys = vec![InferredKey::one("aws:SourceVpce", id, &from)];
        if let Some(vpc) = &endpoint.vpc_id {
            keys.push(InferredKey::one("aws:SourceVpc", vpc, &from));
        }
        keys.push(InferredKey::one("aws:VpceAccount", &endpoint.owner, &from));
        Ok(ResolvedEndpoint {
            policy: endpoint
                .policy
                .clone()
                .unwrap_or_else(default_endpoint_policy),
            keys,
        })
    }
}

/// AWS's default endpoint policy: full access for every principal.
pub fn default_endpoint_policy() -> Policy {
    static DEFAULT: OnceLock<Policy> = OnceLock::new();
    DEFAULT
        .get_or_init(|| {
            let text =
                r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}"#;
            let doc = PolicyDocument::parse(text).expect("the default endpoint policy parses");
            Arc::new(CompiledPolicy::compile(
                "default endpoint policy",
                PolicyType::Endpoint,
                Arc::new(doc),
            ))
        })
        .clone()
}
