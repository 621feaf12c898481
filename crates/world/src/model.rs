//! The loaded world: accounts with their IAM entities and resources, and the organization.
//! Every policy document is parsed and compiled once, at load.

use iamwhy_engine::CompiledPolicy;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// A compiled policy with where it came from (for explanations: "file, policy, line").
pub type Policy = Arc<CompiledPolicy>;

/// An IAM user.
#[derive(Debug, Clone)]
pub struct User {
    /// Its ARN (with path).
    pub arn: String,
    /// Its name.
    pub name: String,
    /// Its unique id (`AIDA…`).
    pub id: Option<String>,
    /// Inline policies.
    pub inline: Vec<Policy>,
    /// Attached managed policy ARNs.
    pub attached: Vec<String>,
    /// Group names.
    pub groups: Vec<String>,
    /// Permissions boundary ARN.
    pub boundary: Option<String>,
    /// Tags.
    pub tags: BTreeMap<String, String>,
}

/// An IAM group.
#[derive(Debug, Clone)]
pub struct Group {
    /// Its ARN.
    pub arn: String,
    /// Its name.
    pub name: String,
    /// Inline policies.
    pub inline: Vec<Policy>,
    /// Attached managed policy ARNs.
    pub attached: Vec<String>,
}

/// An IAM role.
#[derive(Debug, Clone)]
pub struct Role {
    /// Its ARN (with path).
    pub arn: String,
    /// Its name.
    pub name: String,
    /// Its path (`/`, `/team/`, `/aws-service-role/…/`).
    pub path: String,
    /// Its unique id (`AROA…`).
    pub id: Option<String>,
    /// The trust policy.
    pub trust: Option<Policy>,
    /// Inline policies.
    pub inline: Vec<Policy>,
    /// Attached managed policy ARNs.
    pub attached: Vec<String>,
    /// Permissions boundary ARN.
    pub boundary: Option<String>,
    /// Tags.
    pub tags: BTreeMap<String, String>,
}

impl Role {
    /// Whether this is a service-linked role.
    pub fn is_service_linked(&self) -> bool {
        self.path.starts_with("/aws-service-role/")
    }
}

/// A resource with a policy or tags (from `resource-policies.json`).
#[derive(Debug, Clone)]
pub struct Resource {
    /// Its ARN.
    pub arn: String,
    /// Its resource-based policy.
    pub policy: Option<Policy>,
    /// Its tags.
    pub tags: BTreeMap<String, String>,
}

/// A VPC endpoint (from `vpc-endpoints.json`).
#[derive(Debug, Clone)]
pub struct Endpoint {
    /// `vpce-…`.
    pub id: String,
    /// `vpc-…`.
    pub vpc_id: Option<String>,
    /// `com.amazonaws.REGION.SERVICE`.
    pub service_name: Option<String>,
    /// The owner account.
    pub owner: String,
    /// Its policy (absent: the default allow-all policy).
    pub policy: Option<Policy>,
}

/// One account of the world.
#[derive(Debug, Clone, Default)]
pub struct Account {
    /// The 12-digit id.
    pub id: String,
    /// Users by ARN.
    pub users: BTreeMap<String, User>,
    /// Groups by name.
    pub groups: BTreeMap<String, Group>,
    /// Roles by ARN.
    pub roles: BTreeMap<String, Role>,
    /// Role ARN by role name (role names are unique in an account).
    pub role_names: HashMap<String, String>,
    /// User ARN by user name.
    pub user_names: HashMap<String, String>,
    /// Managed policies (customer and AWS managed) by ARN, default version.
    pub managed: HashMap<String, Policy>,
    /// Resources by ARN.
    pub resources: BTreeMap<String, Resource>,
    /// VPC endpoints by id.
    pub endpoints: BTreeMap<String, Endpoint>,
}

/// A node of the organization tree.
#[derive(Debug, Clone)]
pub struct OrgNode {
    /// `r-…` or `ou-…`.
    pub id: String,
    /// Its name.
    pub name: Option<String>,
    /// Attached policy ids.
    pub policies: Vec<String>,
    /// The parent node index (`None` for a root).
    pub parent: Option<usize>,
}

/// An organization policy.
#[derive(Debug, Clone)]
pub struct OrgPolicy {
    /// `p-…`.
    pub id: String,
    /// Its name.
    pub name: String,
    /// SCP or RCP.
    pub is_rcp: bool,
    /// The compiled document.
    pub policy: Policy,
}

/// The organization: its tree and policies.
#[derive(Debug, Clone)]
pub struct Organization {
    /// `o-…`.
    pub id: String,
    /// The management account.
    pub management_account: String,
    /// Every root and OU.
    pub nodes: Vec<OrgNode>,
    /// Each member account's parent node and attached policy ids.
    pub accounts: BTreeMap<String, (usize, Vec<String>)>,
    /// Policies by id.
    pub policies: BTreeMap<String, OrgPolicy>,
    /// AWS's implicit `RCPFullAWSAccess`, attached everywhere when RCPs are in use.
    pub rcp_full_access: Policy,
    /// Whether any SCP exists (SCPs enabled).
    pub scps_enabled: bool,
    /// Whether any customer RCP exists (RCPs enabled).
    pub rcps_enabled: bool,
}

/// One level of an account's path: its target id and attached policies of one type.
#[derive(Debug, Clone)]
pub struct Level {
    /// Root, OU or account id.
    pub target: String,
    /// The policies.
    pub policies: Vec<Policy>,
}

impl Organization {
    /// The node ids from the root down to the account's parent.
    pub fn path_nodes(&self, account: &str) -> Option<Vec<usize>> {
        let (mut node, _) = *self.accounts.get(account)?;
        let mut path = vec![node];
        while let Some(p) = self.nodes[node].parent {
            path.push(p);
            node = p;
        }
        path.reverse();
        Some(path)
    }

    /// `o-id/r-id/ou-…/` (AWS's `aws:PrincipalOrgPaths` value form) for an account.
    pub fn org_path(&self, account: &str) -> Option<String> {
        let nodes = self.path_nodes(account)?;
        let mut s = format!("{}/", self.id);
        for n in nodes {
            s.push_str(&self.nodes[n].id);
            s.push('/');
        }
        Some(s)
    }

    /// The levels (root, OUs, account) with the policies of one type attached at each.
    pub fn levels(&self, account: &str, rcp: bool) -> Option<Vec<Level>> {
        let nodes = self.path_nodes(account)?;
        let pick = |ids: &[String]| -> Vec<Policy> {
            let mut v: Vec<Policy> = ids
                .iter()
                .filter_map(|id| self.policies.get(id))
                .filter(|p| p.is_rcp == rcp)
                .map(|p| p.policy.clone())
                .collect();
            if rcp {
                v.insert(0, self.rcp_full_access.clone());
            }
            v
        };
        let mut levels: Vec<Level> = nodes
            .iter()
            .map(|&n| Level {
                target: self.nodes[n].id.clone(),
                policies: pick(&self.nodes[n].policies),
            })
            .collect();
        let (_, account_policies) = &self.accounts[account];
        levels.push(Level {
            target: account.to_string(),
            policies: pick(account_policies),
        });
        Some(levels)
    }
}

/// A loaded world.
#[derive(Debug, Clone, Default)]
pub struct World {
    /// Where it was loaded from (for messages).
    pub origin: String,
    /// Accounts by id.
    pub accounts: BTreeMap<String, Account>,
    /// The organization, when `organization.json` exists.
    pub organization: Option<Organization>,
    /// AWS managed policies whose documents came from iamwhy's embedded copy because the
    /// snapshot attaches them without carrying them.
    pub embedded_policies: Vec<crate::embedded::EmbeddedPolicy>,
    /// The collection manifest (`collection.json`), when the world has one.
    pub collection: Option<crate::manifest::Collection>,
    /// What the world may lack: the manifest's failed calls and the parts of an imported
    /// store that could not be read. Requests they could affect get a note.
    pub gaps: Vec<crate::completeness::Gap>,
}

static FREE_ON_DROP: AtomicBool = AtomicBool::new(true);

/// For a process that ends once it has answered (the CLI's one-shot commands): from now on,
/// dropping a [`World`] leaves its memory to the operating system instead of freeing a
/// million small allocations one by one (about a third of a `check` on a 10,000-role world;
/// docs/performance.md). A long-running process (a server) must not call it: every world it
/// drops would stay allocated.
pub fn exit_without_freeing() {
    FREE_ON_DROP.store(false, Ordering::Relaxed);
}

impl Drop for World {
    fn drop(&mut self) {
        if !FREE_ON_DROP.load(Ordering::Relaxed) {
            std::mem::forget(std::mem::take(&mut self.accounts));
            std::mem::forget(self.organization.take());
            std::mem::forget(std::mem::take(&mut self.embedded_policies));
        }
    }
}
