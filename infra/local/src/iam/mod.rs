//! Each function runs under its own policy locally, as in AWS.
//!
//! In AWS a function's calls carry its role's credentials and IAM checks each call against
//! the role's policy. Locally each function's SDK clients carry credentials naming the
//! function ([`access_key`]) and reach DynamoDB Local and moto through the [`Gate`], which
//! checks every call against the function's statements in `template.yaml` and refuses what
//! they do not allow the way AWS refuses it (`AccessDeniedException`, SNS's
//! `AuthorizationError`, the Management API's `ForbiddenException`), so the code sees the
//! error it would see deployed. Calls made with other credentials (the stack's own
//! provisioning, the test harness) are not a function's and pass unchecked.
//!
//! Every grant a call used is recorded (to `TANDEM_IAM_USAGE_DIR` when set), so a report can
//! list the grants no code path exercised: least privilege both ways.

mod gate;
pub mod policy;
pub mod request;
pub mod usage;

use std::collections::BTreeMap;
use std::sync::Mutex;

pub use gate::{Gate, GateError, Upstreams};
pub use policy::{Grant, LocalResources, Policy};
pub use request::{Credential, Needed, Protocol};

use crate::template::{Template, TemplateError};

const ACCESS_KEY_PREFIX: &str = "TANDEMFN";

/// The access key id a function's SDK clients sign with: letters and digits only, naming the
/// function (hex of its binary's name).
pub fn access_key(function: &str) -> String {
    let hex: String = function.bytes().map(|b| format!("{b:02x}")).collect();
    format!("{ACCESS_KEY_PREFIX}{hex}")
}

/// The function an access key id names, if it is a function's.
pub fn function_of(access_key: &str) -> Option<String> {
    let hex = access_key.strip_prefix(ACCESS_KEY_PREFIX)?;
    let bytes = (0..hex.len())
        .step_by(2)
        .map(|i| hex.get(i..i + 2).and_then(|pair| u8::from_str_radix(pair, 16).ok()))
        .collect::<Option<Vec<u8>>>()?;
    String::from_utf8(bytes).ok()
}

/// A call a policy did not allow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub function: String,
    pub action: String,
    pub resource: String,
}

impl Refusal {
    /// The message AWS gives, naming the role's session as the caller.
    pub fn message(&self, account: &str, role: &str) -> String {
        format!(
            "User: arn:aws:sts::{account}:assumed-role/{role}/{function} is not authorized to perform: {action} on resource: {resource} because no identity-based policy allows the {action} action",
            function = self.function,
            action = self.action,
            resource = self.resource
        )
    }
}

/// The outcome of a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Not a function's credentials: the stack's own or the harness's calls.
    NotAFunction,
    Allowed,
    Refused(Refusal),
}

/// The policies of every function and what their calls did.
pub struct Iam {
    policies: BTreeMap<String, Policy>,
    local: LocalResources,
    refused: Mutex<Vec<Refusal>>,
    /// Transactions to cancel as conflicting, by function (a fault DynamoDB Local never
    /// produces: it runs transactions one at a time).
    conflicts: Mutex<BTreeMap<String, u32>>,
}

impl Iam {
    pub fn new(template: &Template, local: LocalResources) -> Result<Self, TemplateError> {
        Ok(Self {
            policies: policy::policies(template, &local)?,
            local,
            refused: Mutex::new(Vec::new()),
            conflicts: Mutex::new(BTreeMap::new()),
        })
    }

    pub fn local(&self) -> &LocalResources {
        &self.local
    }

    /// Every function the template declares, by binary.
    pub fn functions(&self) -> impl Iterator<Item = String> + '_ {
        self.policies.keys().cloned()
    }

    pub fn policy(&self, function: &str) -> Option<&Policy> {
        self.policies.get(function)
    }

    /// Takes `action` out of every statement of `function`'s policy (a test's way to show
    /// what a missing grant does).
    pub fn revoke(&mut self, function: &str, action: &str) {
        if let Some(policy) = self.policies.get_mut(function) {
            for statement in &mut policy.statements {
                statement.actions.retain(|granted| !granted.eq_ignore_ascii_case(action));
            }
            policy.statements.retain(|statement| !statement.actions.is_empty());
        }
    }

    /// Decides a call made with `access_key` that needs `needs`; records the grants used and
    /// logs a refusal with the function, the action and the resource.
    pub fn decide(&self, access_key: &str, needs: &[Needed]) -> Decision {
        let Some(function) = function_of(access_key) else { return Decision::NotAFunction };
        let policy = self.policies.get(&function);
        for need in needs {
            match policy.and_then(|policy| policy.allows(&need.action, &need.resource)) {
                Some(grant) => usage::record(&grant),
                None => {
                    let refusal = Refusal {
                        function: function.clone(),
                        action: need.action.clone(),
                        resource: need.resource.clone(),
                    };
                    tracing::error!(
                        function = %refusal.function,
                        action = %refusal.action,
                        resource = %refusal.resource,
                        "AccessDenied: the function's policy in template.yaml does not allow this call"
                    );
                    if let Ok(mut refused) = self.refused.lock() {
                        refused.push(refusal.clone());
                    }
                    return Decision::Refused(refusal);
                }
            }
        }
        Decision::Allowed
    }

    /// The role a function's calls are made as, in messages (`<LogicalId>Role`, as SAM names it).
    pub fn role_of(&self, function: &str) -> String {
        self.policies.get(function).map(|p| format!("{}Role", p.logical_id)).unwrap_or_else(|| function.to_owned())
    }

    /// Cancels the next `count` `TransactWriteItems` of `function` as DynamoDB cancels a
    /// transaction that met another one on an item (`TransactionConflict`): a fault test's way
    /// to show what a conflict does.
    pub fn inject_transaction_conflicts(&self, function: &str, count: u32) {
        if let Ok(mut conflicts) = self.conflicts.lock() {
            conflicts.insert(function.to_owned(), count);
        }
    }

    /// Whether this call of `access_key`'s function is one to cancel as a conflict (taking it).
    pub(crate) fn take_conflict(&self, access_key: &str) -> bool {
        let Some(function) = function_of(access_key) else { return false };
        let Ok(mut conflicts) = self.conflicts.lock() else { return false };
        match conflicts.get_mut(&function) {
            Some(left) if *left > 0 => {
                *left -= 1;
                true
            }
            _ => false,
        }
    }

    /// Every call refused so far.
    pub fn refusals(&self) -> Vec<Refusal> {
        self.refused.lock().map(|r| r.clone()).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_access_key_names_its_function_in_letters_and_digits() {
        let key = access_key("conversations-messages-send");
        assert!(key.chars().all(|c| c.is_ascii_alphanumeric()));
        assert_eq!(function_of(&key).as_deref(), Some("conversations-messages-send"));
        assert_eq!(function_of("local"), None);
        assert_eq!(function_of("TANDEMFNzz"), None);
    }
}
