//! Which grants calls used, for the report of grants no code path exercised.
//!
//! With `TANDEM_IAM_USAGE_DIR` set, each grant is appended once per process to
//! `<dir>/<pid>.tsv` (function, action, resource as written); `tandem-local iam-report`
//! compares those files with the template's grants.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::Path;
use std::sync::{Mutex, OnceLock};

use super::policy::Grant;
use crate::template::{Template, TemplateError};

fn seen() -> &'static Mutex<BTreeSet<Grant>> {
    static SEEN: OnceLock<Mutex<BTreeSet<Grant>>> = OnceLock::new();
    SEEN.get_or_init(Default::default)
}

/// Records that a call used `grant`.
pub fn record(grant: &Grant) {
    let Ok(mut seen) = seen().lock() else { return };
    if !seen.insert(grant.clone()) {
        return;
    }
    let Some(dir) = std::env::var_os("TANDEM_IAM_USAGE_DIR") else { return };
    let path = Path::new(&dir).join(format!("{}.tsv", std::process::id()));
    let line = format!("{}\t{}\t{}\n", grant.function, grant.action, grant.resource);
    let written = std::fs::create_dir_all(&dir)
        .and_then(|_| std::fs::OpenOptions::new().create(true).append(true).open(&path))
        .and_then(|mut file| file.write_all(line.as_bytes()));
    if let Err(error) = written {
        tracing::warn!(path = %path.display(), %error, "could not record an IAM grant's use");
    }
}

/// The grants of the template that no recorded call used, by function.
pub fn unexercised(template: &Template, usage_dir: &Path) -> Result<BTreeMap<String, Vec<Grant>>, TemplateError> {
    let mut used = BTreeSet::new();
    for entry in std::fs::read_dir(usage_dir).into_iter().flatten().flatten() {
        let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
        for line in text.lines() {
            let fields: Vec<&str> = line.split('\t').collect();
            if let [function, action, resource] = fields[..] {
                used.insert(Grant { function: function.into(), action: action.into(), resource: resource.into() });
            }
        }
    }
    // The grants as written are what is compared: any resolution of them will do.
    let queue_urls = template.queues().into_iter().map(|q| (q.logical_id.clone(), q.logical_id)).collect();
    let mut local = super::policy::LocalResources::new(template, "report", queue_urls);
    local.secret_name = Some("report".into());
    let mut unexercised: BTreeMap<String, Vec<Grant>> = BTreeMap::new();
    for (function, policy) in super::policy::policies(template, &local)? {
        for grant in policy.grants() {
            if !used.contains(&grant) {
                unexercised.entry(function.clone()).or_default().push(grant);
            }
        }
    }
    Ok(unexercised)
}
