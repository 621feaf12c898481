//! Cheap `Copy` handles onto catalog entries: a reference to the catalog plus an index.

use std::cmp::{Ordering, Reverse};
use std::fmt;
use std::hash::{Hash, Hasher};

use crate::arn::{ArnFit, ArnTemplate};
use crate::catalog::{Catalog, Span};
use crate::keys::key_matches;
use crate::text::cmp_ignore_case;
use crate::types::{AccessLevel, ConditionKeyType};

/// Implements identity (catalog + index) equality, ordering, hashing and a short `Debug`.
macro_rules! handle {
    ($ty:ident, $what:literal) => {
        impl<'c> $ty<'c> {
            pub(crate) fn new(cat: &'c Catalog, idx: u32) -> Self {
                $ty { cat, idx }
            }
        }
        impl PartialEq for $ty<'_> {
            fn eq(&self, other: &Self) -> bool {
                self.idx == other.idx && std::ptr::eq(self.cat, other.cat)
            }
        }
        impl Eq for $ty<'_> {}
        impl Hash for $ty<'_> {
            fn hash<H: Hasher>(&self, state: &mut H) {
                self.idx.hash(state);
            }
        }
        impl PartialOrd for $ty<'_> {
            fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
                Some(self.cmp(other))
            }
        }
        /// Catalog order (the order of the tables, which are sorted by name).
        impl Ord for $ty<'_> {
            fn cmp(&self, other: &Self) -> Ordering {
                self.idx.cmp(&other.idx)
            }
        }
        impl fmt::Debug for $ty<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!($what, "({})"), self)
            }
        }
    };
}

/// A service of the catalog, e.g. `s3` (Amazon S3).
#[derive(Clone, Copy)]
pub struct Service<'c> {
    cat: &'c Catalog,
    idx: u32,
}
handle!(Service, "Service");

impl<'c> Service<'c> {
    fn data(&self) -> &'c crate::catalog::ServiceData {
        &self.cat.services[self.idx as usize]
    }

    /// The IAM prefix, lowercase (`s3`).
    pub fn prefix(&self) -> &'static str {
        self.data().prefix
    }

    /// The service's display name (`Amazon S3`).
    pub fn name(&self) -> &'static str {
        self.data().name
    }

    /// Its actions, sorted by name case-insensitively.
    pub fn actions(&self) -> impl ExactSizeIterator<Item = Action<'c>> + use<'c> {
        let cat = self.cat;
        let span = self.data().actions;
        (span.start..span.end).map(move |idx| Action::new(cat, idx))
    }

    /// The action `name` of this service, ASCII case-insensitively.
    pub fn action(&self, name: &str) -> Option<Action<'c>> {
        let span = self.data().actions;
        self.cat.actions[span.range()]
            .binary_search_by(|a| cmp_ignore_case(a.name, name))
            .ok()
            .map(|i| Action::new(self.cat, span.start + i as u32))
    }

    /// Its resource types, sorted by name case-insensitively.
    pub fn resource_types(&self) -> impl ExactSizeIterator<Item = ResourceType<'c>> + use<'c> {
        let cat = self.cat;
        let span = self.data().resource_types;
        (span.start..span.end).map(move |idx| ResourceType::new(cat, idx))
    }

    /// The resource type `name` of this service, ASCII case-insensitively.
    pub fn resource_type(&self, name: &str) -> Option<ResourceType<'c>> {
        let span = self.data().resource_types;
        self.cat.resource_types[span.range()]
            .binary_search_by(|rt| cmp_ignore_case(rt.name, name))
            .ok()
            .map(|i| ResourceType::new(self.cat, span.start + i as u32))
    }

    /// The resource types of this service that `arn` is an instance of. Exact fits win over
    /// extended ones (see [`ArnFit`]), and among those the templates with more segments (the
    /// more specific) win; several types can remain (Lambda's `function alias` and
    /// `function version` share one ARN shape).
    pub fn resource_types_for_arn(&self, arn: &str) -> Vec<ResourceType<'c>> {
        best_fits(self.resource_types(), |rt| rt.rank(arn))
    }

    /// Condition keys declared with this service's prefix (`s3:...`), sorted by name.
    /// Global `aws:` keys are not included.
    pub fn condition_keys(&self) -> impl Iterator<Item = ConditionKey<'c>> + use<'c> {
        let cat = self.cat;
        let prefix = self.prefix();
        let range = cat.key_index.prefix_range(&cat.keys, prefix);
        range.map(move |idx| ConditionKey::new(cat, idx as u32))
    }

    /// Whether resource control policies apply to this service.
    pub fn supports_rcp(&self) -> bool {
        crate::rcp::supports_rcp(self.prefix())
    }
}

impl fmt::Display for Service<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.prefix())
    }
}

/// An action such as `s3:GetObject`. `Display` prints `prefix:Name` in canonical case.
#[derive(Clone, Copy)]
pub struct Action<'c> {
    cat: &'c Catalog,
    idx: u32,
}
handle!(Action, "Action");

impl<'c> Action<'c> {
    fn data(&self) -> &'c crate::catalog::ActionData {
        &self.cat.actions[self.idx as usize]
    }

    /// The action name in canonical case, without the prefix (`GetObject`).
    pub fn name(&self) -> &'static str {
        self.data().name
    }

    /// The service it belongs to.
    pub fn service(&self) -> Service<'c> {
        Service::new(self.cat, self.data().service)
    }

    /// `prefix:Name` (`s3:GetObject`); the same as `to_string()`.
    pub fn full_name(&self) -> String {
        self.to_string()
    }

    /// Its access level.
    pub fn access_level(&self) -> AccessLevel {
        self.data().access
    }

    /// The resource types it acts on, in the order of the reference, with whether each is
    /// required and the condition keys specific to it.
    pub fn resource_types(
        &self,
    ) -> impl ExactSizeIterator<Item = ActionResourceType<'c>> + use<'c> {
        let cat = self.cat;
        let span = self.data().resource_types;
        (span.start..span.end).map(move |idx| ActionResourceType::new(cat, idx))
    }

    /// Whether the action takes no resource type, so only `"Resource": "*"` applies to it.
    pub fn is_wildcard_only(&self) -> bool {
        self.data().resource_types.start == self.data().resource_types.end
    }

    /// The ARN templates of all its resource types, in order
    /// (`arn:${Partition}:s3:::${BucketName}/${ObjectName}`); empty for wildcard-only actions.
    pub fn arn_templates(&self) -> Vec<&'static str> {
        self.resource_types()
            .flat_map(|rt| rt.resource_type().arn_templates())
            .collect()
    }

    /// Which of its resource types the concrete `arn` is an instance of, ranked as in
    /// [`Service::resource_types_for_arn`]; empty if none fits or the action is wildcard-only.
    pub fn resource_types_for_arn(&self, arn: &str) -> Vec<ActionResourceType<'c>> {
        best_fits(self.resource_types(), |rt| rt.resource_type().rank(arn))
    }

    /// The condition keys the action supports whatever the resource (`iam:PassedToService`),
    /// sorted by name. Keys specific to one resource type are on
    /// [`ActionResourceType::condition_keys`].
    pub fn condition_keys(&self) -> impl ExactSizeIterator<Item = ConditionKey<'c>> + use<'c> {
        keys_of(self.cat, self.data().keys)
    }

    /// Whether `key` (a concrete name such as `s3:ExistingObjectTag/env`, any ASCII case) is
    /// one of the action's condition keys or of its resource types' keys (per action or per
    /// resource type). Global `aws:` keys count only where the reference lists them.
    pub fn supports_condition_key(&self, key: &str) -> bool {
        let hit = |k: ConditionKey<'_>| k.matches(key);
        self.condition_keys().any(hit)
            || self.resource_types().any(|rt| {
                rt.condition_keys().any(hit) || rt.resource_type().condition_keys().any(hit)
            })
    }
}

impl fmt::Display for Action<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.service().prefix(), self.name())
    }
}

/// One resource type as an action uses it: the type, whether it is required, and condition
/// keys that apply to the action on that type only.
#[derive(Clone, Copy)]
pub struct ActionResourceType<'c> {
    cat: &'c Catalog,
    idx: u32,
}
handle!(ActionResourceType, "ActionResourceType");

impl<'c> ActionResourceType<'c> {
    fn data(&self) -> &'c crate::catalog::ActionRtData {
        &self.cat.action_rts[self.idx as usize]
    }

    /// The resource type.
    pub fn resource_type(&self) -> ResourceType<'c> {
        ResourceType::new(self.cat, self.data().resource_type)
    }

    /// Whether the reference marks it required (`*` in the AWS tables).
    pub fn required(&self) -> bool {
        self.data().required
    }

    /// Condition keys for this action on this resource type, sorted by name.
    pub fn condition_keys(&self) -> impl ExactSizeIterator<Item = ConditionKey<'c>> + use<'c> {
        keys_of(self.cat, self.data().keys)
    }
}

impl fmt::Display for ActionResourceType<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.resource_type())?;
        if self.required() {
            f.write_str("*")?;
        }
        Ok(())
    }
}

/// A resource type of a service, e.g. S3's `object`, with its ARN templates.
#[derive(Clone, Copy)]
pub struct ResourceType<'c> {
    cat: &'c Catalog,
    idx: u32,
}
handle!(ResourceType, "ResourceType");

impl<'c> ResourceType<'c> {
    fn data(&self) -> &'c crate::catalog::ResourceTypeData {
        &self.cat.resource_types[self.idx as usize]
    }

    /// Its name in the reference's case (`object`, `accesspointobject`, `function alias`).
    pub fn name(&self) -> &'static str {
        self.data().name
    }

    /// The service it belongs to.
    pub fn service(&self) -> Service<'c> {
        Service::new(self.cat, self.data().service)
    }

    /// Its ARN templates (usually one; API Gateway and a few others have two).
    pub fn arn_templates(&self) -> impl Iterator<Item = &'static str> + use<> {
        self.data().templates.split('|')
    }

    /// Condition keys that apply to resources of this type (tag keys mostly), sorted.
    pub fn condition_keys(&self) -> impl ExactSizeIterator<Item = ConditionKey<'c>> + use<'c> {
        keys_of(self.cat, self.data().keys)
    }

    /// How well the concrete `arn` fits this type's templates, if at all (the best fit over
    /// its templates). The templates are compiled on the first call, once.
    pub fn fit(&self, arn: &str) -> Option<ArnFit> {
        self.rank(arn).map(|(fit, _)| fit)
    }

    /// The best fit with its specificity, for ranking resource types against each other:
    /// smaller is better.
    fn rank(&self, arn: &str) -> Option<(ArnFit, Reverse<usize>)> {
        let data = self.data();
        let matchers = data.matchers.get_or_init(|| {
            data.templates
                .split('|')
                .filter_map(ArnTemplate::compile)
                .collect()
        });
        matchers
            .iter()
            .filter_map(|m| Some((m.fit(arn)?, Reverse(m.segment_count()))))
            .min()
    }

    /// Whether `arn` is an instance of this type (an exact or extended fit).
    pub fn matches_arn(&self, arn: &str) -> bool {
        self.fit(arn).is_some()
    }
}

impl fmt::Display for ResourceType<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A condition key declared by a service (`s3:prefix`, `aws:RequestTag/${TagKey}`).
#[derive(Clone, Copy)]
pub struct ConditionKey<'c> {
    cat: &'c Catalog,
    idx: u32,
}
handle!(ConditionKey, "ConditionKey");

impl<'c> ConditionKey<'c> {
    fn data(&self) -> &'c crate::catalog::KeyData {
        &self.cat.keys[self.idx as usize]
    }

    /// Its name as declared; patterned keys keep their placeholder
    /// (`s3:ExistingObjectTag/<key>`, `aws:ResourceTag/${TagKey}`).
    pub fn name(&self) -> &'static str {
        self.data().name
    }

    /// Its type as the service declares it.
    pub fn key_type(&self) -> ConditionKeyType {
        self.data().key_type
    }

    /// Whether the name has a placeholder that stands for a tag key or other name.
    pub fn is_patterned(&self) -> bool {
        self.data().pattern.is_some()
    }

    /// Whether the concrete key `key` is an instance of this one (ASCII case-insensitive).
    pub fn matches(&self, key: &str) -> bool {
        key_matches(self.data(), key)
    }
}

impl fmt::Display for ConditionKey<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

fn keys_of<'c>(cat: &'c Catalog, span: Span) -> impl ExactSizeIterator<Item = ConditionKey<'c>> {
    cat.key_refs[span.range()]
        .iter()
        .map(move |&idx| ConditionKey::new(cat, idx))
}

/// The items with the best rank: exact fits if any, else the most specific extended fits.
fn best_fits<T, R: Ord + Copy>(
    items: impl Iterator<Item = T>,
    rank: impl Fn(&T) -> Option<R>,
) -> Vec<T> {
    let mut best: Option<R> = None;
    let mut out = Vec::new();
    for item in items {
        let Some(f) = rank(&item) else { continue };
        match best {
            Some(b) if f > b => continue,
            Some(b) if f < b => out.clear(),
            _ => {}
        }
        best = Some(f);
        out.push(item);
    }
    out
}
