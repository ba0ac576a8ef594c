//! Safety reports: the report item (listed for triage through GSI1 by status, most severe
//! then oldest first), a pointer in the reporter's partition (their own list), one in the
//! reported user's partition (earlier reports about them) and a guard that makes a second
//! report of the same user for the same conversation return the first.

use aws_sdk_dynamodb::types::{TransactWriteItem, Update};
use base64::Engine;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tandem_domain::moderation::{Finding, Severity};
use tandem_domain::reports::{AdminAction, ReportReason, ReportSource, ReportStatus};
use tandem_domain::{ConversationId, MessageId, ReportId, UserId};

use crate::item::{Item, key, s, with_key};
use crate::keys::{self, GSI1, GSI1_PK, GSI1_SK, PK};
use crate::{Store, StoreError};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportRecord {
    pub report_id: ReportId,
    pub source: ReportSource,
    /// `None` when moderation filed it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reporter: Option<UserId>,
    pub reported_user_id: UserId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation_id: Option<ConversationId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<MessageId>,
    pub reason: ReportReason,
    pub details: String,
    pub severity: Severity,
    pub status: ReportStatus,
    /// What the moderation rules found (automatic reports only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<Finding>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolution: Option<Resolution>,
}

/// What an admin decided about a report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Resolution {
    pub action: AdminAction,
    pub note: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days: Option<u32>,
    pub by: UserId,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum FileOutcome {
    Filed(ReportRecord),
    /// The reporter had already reported this user for this conversation: the first report.
    Existing(ReportRecord),
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ReportPointer {
    report_id: ReportId,
}

/// One page of the triage list and where the next starts.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportPage {
    pub reports: Vec<ReportRecord>,
    pub next: Option<String>,
}

/// GSI1 sort key: severity (most severe first), then filing time, then id.
fn triage_sort_key(report: &ReportRecord) -> String {
    format!(
        "{}#{}#{}",
        severity_prefix(report.severity),
        report.created_at.format("%Y-%m-%dT%H:%M:%S%.3fZ"),
        report.report_id
    )
}

fn severity_prefix(severity: Severity) -> u8 {
    2 - severity.rank()
}

/// The longest cursor the queue hands out, with room (status, severity, a triage sort key).
const MAX_CURSOR_CHARS: usize = 200;

/// A page cursor, bound to the query it came from (the status and the severity filter): the
/// next page starts after its sort key only under the same filter.
fn encode_cursor(status: ReportStatus, severity: Option<Severity>, sort_key: &str) -> String {
    let filter = severity.map_or("any", Severity::as_str);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{}|{filter}|{sort_key}", status.as_str()))
}

/// The sort key and report a cursor starts after, if it is one this query handed out:
/// bounded, of the same status and severity filter, and a triage sort key (under a severity
/// filter, of that severity) naming a report.
fn decode_cursor(cursor: &str, status: ReportStatus, severity: Option<Severity>) -> Option<(String, ReportId)> {
    if cursor.len() > MAX_CURSOR_CHARS {
        return None;
    }
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(cursor).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let mut parts = text.splitn(3, '|');
    let (issued_status, issued_filter, sort_key) = (parts.next()?, parts.next()?, parts.next()?);
    if issued_status != status.as_str() || issued_filter != severity.map_or("any", Severity::as_str) {
        return None;
    }
    let mut fields = sort_key.split('#');
    let (prefix, _created, id) = (fields.next()?, fields.next()?, fields.next()?);
    let prefix: u8 = prefix.parse().ok()?;
    if fields.next().is_some() || prefix > 2 || severity.is_some_and(|s| severity_prefix(s) != prefix) {
        return None;
    }
    Some((sort_key.to_owned(), id.parse().ok()?))
}

impl Store {
    /// The report item with its triage index entry.
    fn report_item(&self, report: &ReportRecord) -> Result<Item, StoreError> {
        let mut item = with_key(keys::report(&report.report_id), report)?;
        item.insert(GSI1_PK.to_owned(), s(keys::reports_by_status(report.status)));
        item.insert(GSI1_SK.to_owned(), s(triage_sort_key(report)));
        Ok(item)
    }

    /// Creating a report: the item and the pointers in both users' partitions.
    pub(crate) fn report_writes(&self, report: &ReportRecord) -> Result<Vec<TransactWriteItem>, StoreError> {
        let pointer = ReportPointer { report_id: report.report_id.clone() };
        let mut writes = vec![
            self.put_if_absent(self.report_item(report)?)?,
            self.put(with_key(keys::report_about(&report.reported_user_id, &report.report_id), &pointer)?)?,
        ];
        if let Some(reporter) = &report.reporter {
            writes.push(self.put(with_key(keys::report_filed(reporter, &report.report_id), &pointer)?)?);
        }
        let event = tandem_domain::analytics::AnalyticsEvent {
            source: Some(report.source.to_string()),
            reason: Some(report.reason.to_string()),
            severity: Some(report.severity.to_string()),
            ..tandem_domain::analytics::AnalyticsEvent::new(
                tandem_domain::analytics::AnalyticsKind::ReportFiled,
                report.created_at,
            )
        };
        writes.push(self.analytics_put(&event, report.report_id.as_str())?);
        Ok(writes)
    }

    /// Files a user's report once per (reporter, reported user, conversation).
    pub async fn file_report(&self, report: &ReportRecord, now: DateTime<Utc>) -> Result<FileOutcome, StoreError> {
        let reporter =
            report.reporter.as_ref().ok_or_else(|| StoreError::Malformed("a user report names no reporter".into()))?;
        let guard_key = keys::report_guard(reporter, &report.reported_user_id, report.conversation_id.as_ref());
        let guard = with_key(guard_key.clone(), &ReportPointer { report_id: report.report_id.clone() })?;
        let mut actions = vec![self.put_if_absent(guard)?];
        actions.extend(self.report_writes(report)?);
        match self.transact_or_conditions(actions).await? {
            None => return Ok(FileOutcome::Filed(report.clone())),
            Some(failed) if failed.first() == Some(&true) => {}
            Some(failed) => {
                return Err(StoreError::Backend {
                    operation: "TransactWriteItems",
                    message: format!("filing a report: a condition other than the guard failed: {failed:?}"),
                });
            }
        }
        let item = self.get_live(guard_key, now.timestamp()).await?;
        let pointer: ReportPointer = item
            .map(serde_dynamo::from_item)
            .transpose()?
            .ok_or_else(|| StoreError::Malformed("report guard vanished".into()))?;
        let first = self.report(&pointer.report_id, now).await?;
        first.map(FileOutcome::Existing).ok_or_else(|| StoreError::Malformed("guarded report missing".into()))
    }

    pub async fn report(&self, id: &ReportId, now: DateTime<Utc>) -> Result<Option<ReportRecord>, StoreError> {
        let item = self.get_live(keys::report(id), now.timestamp()).await?;
        Ok(item.map(serde_dynamo::from_item).transpose()?)
    }

    /// The reports `reporter` filed, newest first, strictly older than `before` when given.
    pub async fn reports_filed_by(
        &self,
        reporter: &UserId,
        before: Option<&ReportId>,
        limit: i32,
    ) -> Result<Vec<ReportRecord>, StoreError> {
        self.pointed_reports(reporter, keys::REPORTS_FILED, before, limit).await
    }

    /// Reports about `user`, newest first (the admin's context for a report).
    pub async fn reports_about(&self, user: &UserId, limit: i32) -> Result<Vec<ReportRecord>, StoreError> {
        self.pointed_reports(user, keys::REPORTS_ABOUT, None, limit).await
    }

    async fn pointed_reports(
        &self,
        user: &UserId,
        prefix: &str,
        before: Option<&ReportId>,
        limit: i32,
    ) -> Result<Vec<ReportRecord>, StoreError> {
        let upper = match before {
            Some(id) => format!("{prefix}{id}"),
            None => format!("{prefix}\u{10FFFF}"),
        };
        let items = self
            .query_between(&keys::user_partition(user), (prefix, &upper), false, limit, chrono::Utc::now().timestamp())
            .await?;
        let ids: Vec<ReportId> = items
            .into_iter()
            .map(|item| serde_dynamo::from_item::<_, ReportPointer>(item).map(|p| p.report_id))
            .collect::<Result<_, _>>()?;
        self.reports_by_id(&ids).await
    }

    /// The reports with these ids, in the given order.
    pub(crate) async fn reports_by_id(&self, ids: &[ReportId]) -> Result<Vec<ReportRecord>, StoreError> {
        let keys: Vec<(String, String)> = ids.iter().map(keys::report).collect();
        let mut found = self.batch_get(keys.clone(), i64::MIN).await?;
        keys.into_iter().filter_map(|k| found.remove(&k)).map(|item| Ok(serde_dynamo::from_item(item)?)).collect()
    }

    /// Reports in `status`, most severe then oldest first, optionally of one severity.
    pub async fn reports_by_status(
        &self,
        status: ReportStatus,
        severity: Option<Severity>,
        after: Option<&str>,
        limit: i32,
    ) -> Result<ReportPage, StoreError> {
        let partition = keys::reports_by_status(status);
        let mut query = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(GSI1)
            .expression_attribute_names("#gpk", GSI1_PK)
            .expression_attribute_values(":gpk", s(&partition))
            .limit(limit);
        query = match severity {
            Some(severity) => query
                .key_condition_expression("#gpk = :gpk AND begins_with(#gsk, :severity)")
                .expression_attribute_names("#gsk", GSI1_SK)
                .expression_attribute_values(":severity", s(format!("{}#", severity_prefix(severity)))),
            None => query.key_condition_expression("#gpk = :gpk"),
        };
        if let Some(cursor) = after {
            let (sort_key, id) = decode_cursor(cursor, status, severity).ok_or(StoreError::BadCursor)?;
            let mut start = key(keys::report(&id));
            start.insert(GSI1_PK.to_owned(), s(&partition));
            start.insert(GSI1_SK.to_owned(), s(sort_key));
            query = query.set_exclusive_start_key(Some(start));
        }
        let output = query.send().await.map_err(|e| StoreError::backend("Query", e))?;
        let reports: Vec<ReportRecord> =
            output.items().iter().map(|item| serde_dynamo::from_item(item.clone())).collect::<Result<_, _>>()?;
        let next = output
            .last_evaluated_key()
            .and_then(|k| k.get(GSI1_SK))
            .and_then(|v| v.as_s().ok())
            .map(|sort_key| encode_cursor(status, severity, sort_key));
        Ok(ReportPage { reports, next })
    }

    /// `open` → `triaged` (an admin opened it); false when it was not open.
    pub async fn mark_triaged(&self, report: &ReportRecord, now: DateTime<Utc>) -> Result<bool, StoreError> {
        let update = self.report_status_update(report, ReportStatus::Triaged, None, now)?;
        Ok(self.transact_or_conditions(vec![update]).await?.is_none())
    }

    /// A transaction action moving `report` from its current (unresolved) status to
    /// `status`; fails the transaction if someone changed it meanwhile.
    pub(crate) fn report_status_update(
        &self,
        report: &ReportRecord,
        status: ReportStatus,
        resolution: Option<&Resolution>,
        now: DateTime<Utc>,
    ) -> Result<TransactWriteItem, StoreError> {
        let mut moved = report.clone();
        moved.status = status;
        let mut update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key(keys::report(&report.report_id))))
            .condition_expression("#status = :current")
            .expression_attribute_names("#status", "status")
            .expression_attribute_names("#gpk", GSI1_PK)
            .expression_attribute_names("#updated", "updatedAt")
            .expression_attribute_values(":current", s(report.status.as_str()))
            .expression_attribute_values(":status", s(status.as_str()))
            .expression_attribute_values(":gpk", s(keys::reports_by_status(status)))
            .expression_attribute_values(":updated", serde_dynamo::to_attribute_value(now)?);
        let mut expression = String::from("SET #status = :status, #gpk = :gpk, #updated = :updated");
        if let Some(resolution) = resolution {
            expression.push_str(", #resolution = :resolution");
            update = update
                .expression_attribute_names("#resolution", "resolution")
                .expression_attribute_values(":resolution", serde_dynamo::to_attribute_value(resolution)?);
        }
        let update = update.update_expression(expression).build().map_err(StoreError::build)?;
        Ok(TransactWriteItem::builder().update(update).build())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_under_their_own_query_and_refuse_the_rest() {
        let (open, high) = (ReportStatus::Open, Some(Severity::High));
        let id = ReportId::generate();
        let sort_key = format!("0#2026-11-21T10:00:00.000Z#{id}");
        let cursor = encode_cursor(open, high, &sort_key);
        assert_eq!(decode_cursor(&cursor, open, high), Some((sort_key.clone(), id.clone())));
        assert_eq!(decode_cursor(&cursor, open, Some(Severity::Low)), None, "another severity");
        assert_eq!(decode_cursor(&cursor, open, None), None, "no severity filter");
        assert_eq!(decode_cursor(&cursor, ReportStatus::Triaged, high), None, "another status");
        let unfiltered = encode_cursor(open, None, &sort_key);
        assert_eq!(decode_cursor(&unfiltered, open, None), Some((sort_key, id)));
        assert_eq!(decode_cursor("not base64!", open, None), None);
        assert_eq!(decode_cursor(&encode_cursor(open, None, "0#x#not-an-id"), open, None), None);
        assert_eq!(decode_cursor(&encode_cursor(open, high, "2#x#y"), open, high), None, "a low report's key");
        assert_eq!(decode_cursor(&"A".repeat(MAX_CURSOR_CHARS + 1), open, None), None, "oversized");
    }

    #[test]
    fn more_severe_reports_sort_first() {
        assert!(severity_prefix(Severity::High) < severity_prefix(Severity::Medium));
        assert!(severity_prefix(Severity::Medium) < severity_prefix(Severity::Low));
    }
}

/// What resolving a report does to the reported account, in the same transaction.
#[derive(Debug, Clone, PartialEq)]
pub enum AccountChange {
    None,
    /// A notice the user is told about (the stream carries it to the notification worker).
    Warn(Notice),
    SuspendMatching {
        until: DateTime<Utc>,
    },
    Ban,
}

/// Something the service tells a user about their own account (a moderation warning).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Notice {
    pub notice_id: ReportId,
    pub user_id: UserId,
    pub kind: String,
    pub reason: ReportReason,
    pub message: String,
    pub at: DateTime<Utc>,
}

impl Store {
    /// Resolves `report` (still in the status it was read in) with `resolution`, applies
    /// `change` to the reported account and audits it, all or nothing. False when the
    /// report changed meanwhile (resolved by someone else).
    pub async fn resolve_report(
        &self,
        report: &ReportRecord,
        resolution: &Resolution,
        change: &AccountChange,
        trust_penalty: Option<&crate::TrustEntry>,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut actions =
            vec![self.report_status_update(report, resolution.action.resolves_to(), Some(resolution), now)?];
        actions.extend(
            self.trust_penalties(
                &report.reported_user_id,
                trust_penalty.map(std::slice::from_ref).unwrap_or_default(),
            )?,
        );
        let user_key = key(keys::user(&report.reported_user_id));
        let account_update = |expression: &str, value: aws_sdk_dynamodb::types::AttributeValue, name: &str| {
            Update::builder()
                .table_name(&self.table)
                .set_key(Some(user_key.clone()))
                .update_expression(expression)
                .condition_expression("attribute_exists(#pk)")
                .expression_attribute_names("#pk", PK)
                .expression_attribute_names("#field", name)
                .expression_attribute_values(":value", value)
                .build()
                .map_err(StoreError::build)
                .map(|update| TransactWriteItem::builder().update(update).build())
        };
        match change {
            AccountChange::None => {}
            AccountChange::Warn(notice) => {
                actions.push(self.put_if_absent(with_key(keys::notice(&notice.user_id, &notice.notice_id), notice)?)?)
            }
            AccountChange::SuspendMatching { until } => actions.push(account_update(
                "SET #field = :value",
                serde_dynamo::to_attribute_value(until)?,
                "matchingSuspendedUntil",
            )?),
            AccountChange::Ban => actions.push(account_update(
                "SET #field = :value",
                s(tandem_domain::UserStatus::Banned.as_str()),
                "status",
            )?),
        }
        actions.push(self.audit_entry(&crate::AuditEntry {
            actor: resolution.by.clone(),
            action: resolution.action.as_str().to_owned(),
            resource: format!("report:{}", report.report_id),
            subject: Some(report.reported_user_id.clone()),
            metadata: serde_json::json!({ "note": resolution.note, "days": resolution.days }),
            at: now,
        })?);
        self.transact_unless_taken(actions).await
    }

    pub async fn notice(
        &self,
        user: &UserId,
        notice_id: &ReportId,
        now: DateTime<Utc>,
    ) -> Result<Option<Notice>, StoreError> {
        let item = self.get_live(keys::notice(user, notice_id), now.timestamp()).await?;
        Ok(item.map(serde_dynamo::from_item).transpose()?)
    }
}
