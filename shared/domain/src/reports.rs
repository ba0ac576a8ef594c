//! Safety reports: what a user may report, how serious each reason is, the statuses a
//! report moves through and the actions an admin may take on it.

use crate::ValidationErrors;
use crate::moderation::{Finding, Severity};

/// Longest `details` a reporter may write.
pub const MAX_DETAILS_CHARS: usize = 1_000;
/// Longest suspension an admin may give at once.
pub const MAX_SUSPENSION_DAYS: u32 = 365;
/// Longest note an admin may attach to an action.
pub const MAX_NOTE_CHARS: usize = 2_000;

crate::named_enum! {
    /// Why a user reports someone.
    pub enum ReportReason {
        Harassment = "harassment",
        Hate = "hate",
        SexualContent = "sexual_content",
        SpamOrScam = "spam_or_scam",
        Underage = "underage",
        SelfHarm = "self_harm",
        Other = "other",
    }
}

impl ReportReason {
    /// Severity follows from the reason: harm to a person or a minor first.
    pub fn severity(self) -> Severity {
        match self {
            ReportReason::Hate | ReportReason::Underage | ReportReason::SexualContent => Severity::High,
            ReportReason::Harassment | ReportReason::SelfHarm | ReportReason::SpamOrScam => Severity::Medium,
            ReportReason::Other => Severity::Low,
        }
    }

    /// The reason an automatic report from moderation files under, from its finding's label.
    pub fn for_label(label: &str) -> Self {
        match label {
            "harassment" => ReportReason::Harassment,
            "hate" => ReportReason::Hate,
            "sexual" => ReportReason::SexualContent,
            "scam" | "spam" | "contact_details" => ReportReason::SpamOrScam,
            "self_harm" => ReportReason::SelfHarm,
            _ => ReportReason::Other,
        }
    }
}

crate::named_enum! {
    /// Where a report is in triage. `open` until an admin opens it, `triaged` once seen,
    /// then `actioned` (warn, suspend, ban) or `dismissed`.
    pub enum ReportStatus {
        Open = "open",
        Triaged = "triaged",
        Actioned = "actioned",
        Dismissed = "dismissed",
    }
}

impl ReportStatus {
    pub fn is_resolved(self) -> bool {
        matches!(self, ReportStatus::Actioned | ReportStatus::Dismissed)
    }
}

crate::named_enum! {
    /// Who filed a report: a user (the report form or the panic button), or the
    /// moderation scan.
    pub enum ReportSource {
        User = "user",
        PanicExit = "panic_exit",
        Moderation = "moderation",
    }
}

crate::named_enum! {
    /// What an admin does about a report.
    pub enum AdminAction {
        Dismiss = "dismiss",
        Warn = "warn",
        Suspend = "suspend",
        Ban = "ban",
    }
}

impl AdminAction {
    /// The status the report ends in.
    pub fn resolves_to(self) -> ReportStatus {
        match self {
            AdminAction::Dismiss => ReportStatus::Dismissed,
            _ => ReportStatus::Actioned,
        }
    }
}

/// Checks a report's free text; returns it trimmed.
pub fn clean_details(details: &str, errors: &mut ValidationErrors) -> String {
    let details = details.trim();
    if details.chars().count() > MAX_DETAILS_CHARS {
        errors.push("details", format!("at most {MAX_DETAILS_CHARS} characters"));
    }
    details.to_owned()
}

/// Checks an admin action's note and days (days required for a suspension, only then).
pub fn check_action(action: AdminAction, note: &str, days: Option<u32>, errors: &mut ValidationErrors) {
    if note.chars().count() > MAX_NOTE_CHARS {
        errors.push("note", format!("at most {MAX_NOTE_CHARS} characters"));
    }
    match (action, days) {
        (AdminAction::Suspend, None) => errors.push("days", "a suspension needs days (1 to 365)"),
        (AdminAction::Suspend, Some(d)) if d == 0 || d > MAX_SUSPENSION_DAYS => {
            errors.push("days", format!("between 1 and {MAX_SUSPENSION_DAYS}"))
        }
        (AdminAction::Suspend, Some(_)) => {}
        (_, Some(_)) => errors.push("days", "only a suspension takes days"),
        (_, None) => {}
    }
}

/// The reason and severity of the report moderation files for hidden findings (the most
/// severe finding first, as [`crate::moderation::verdict`] orders them).
pub fn automatic_report(findings: &[Finding]) -> (ReportReason, Severity) {
    match findings.first() {
        Some(top) => (ReportReason::for_label(&top.label), top.severity),
        None => (ReportReason::Other, Severity::Low),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severity_comes_from_the_reason() {
        assert_eq!(ReportReason::Underage.severity(), Severity::High);
        assert_eq!(ReportReason::Harassment.severity(), Severity::Medium);
        assert_eq!(ReportReason::Other.severity(), Severity::Low);
    }

    #[test]
    fn details_over_the_limit_are_refused() {
        let mut errors = ValidationErrors::default();
        assert_eq!(clean_details("  fine  ", &mut errors), "fine");
        assert!(errors.is_empty());
        clean_details(&"é".repeat(MAX_DETAILS_CHARS + 1), &mut errors);
        assert_eq!(errors.0[0].field, "details");
    }

    #[test]
    fn only_a_suspension_takes_days() {
        let check = |action, days| {
            let mut errors = ValidationErrors::default();
            check_action(action, "", days, &mut errors);
            errors.0.into_iter().map(|e| e.field).collect::<Vec<_>>()
        };
        assert_eq!(check(AdminAction::Suspend, Some(7)), Vec::<String>::new());
        assert_eq!(check(AdminAction::Suspend, None), ["days"]);
        assert_eq!(check(AdminAction::Suspend, Some(0)), ["days"]);
        assert_eq!(check(AdminAction::Ban, Some(3)), ["days"]);
        assert_eq!(check(AdminAction::Warn, None), Vec::<String>::new());
    }

    #[test]
    fn automatic_reports_file_under_the_top_finding() {
        let finding = |label: &str, severity| Finding { label: label.into(), severity, rule: "r".into() };
        let findings = [finding("contact_details", Severity::Medium), finding("spam", Severity::Low)];
        assert_eq!(automatic_report(&findings), (ReportReason::SpamOrScam, Severity::Medium));
        assert_eq!(automatic_report(&[finding("hate", Severity::High)]), (ReportReason::Hate, Severity::High));
    }
}
