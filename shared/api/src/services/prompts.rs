//! Prompts: the catalogue admins keep (audited), the icebreakers a sweep gives new
//! conversations, today's daily prompt and the caller's answer, and a partner's answers
//! (shown only once the conversation is revealed). Rules: `tandem_domain::prompts`.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;
use tandem_domain::availability::local_day;
use tandem_domain::moderation::{MessageContext, Verdict, verdict};
use tandem_domain::prompts::{
    ANSWERS_SHOWN_DAYS, Prompt, PromptAnswer, PromptDraft, PromptKind, clean_answer, daily_prompt,
};
use tandem_domain::{FieldError, PromptId, UserId};
use tandem_store::ConversationRecord;

use crate::error::ErrorCode;
use crate::services::accounts::account;
use crate::{ApiError, App};

/// The catalogue, optionally of one kind, in creation order.
pub async fn catalogue(app: &App, kind: Option<PromptKind>, now: DateTime<Utc>) -> Result<Vec<Prompt>, ApiError> {
    let mut prompts = app.store.prompts(now).await?;
    prompts.retain(|p| kind.is_none_or(|kind| p.kind == kind));
    prompts.sort_by(|a, b| a.prompt_id.cmp(&b.prompt_id));
    Ok(prompts)
}

/// The active icebreakers, read once per sweep.
pub async fn icebreakers(app: &App, now: DateTime<Utc>) -> Result<Vec<Prompt>, ApiError> {
    let mut prompts = app.store.prompts(now).await?;
    prompts.retain(|p| p.active && p.kind == PromptKind::Icebreaker);
    Ok(prompts)
}

/// Adds a prompt to the catalogue, audited.
pub async fn create(
    app: &App,
    admin: &UserId,
    kind: PromptKind,
    draft: PromptDraft,
    now: DateTime<Utc>,
) -> Result<Prompt, ApiError> {
    let prompt = draft.into_prompt(PromptId::generate(), kind, now);
    app.store.create_prompt(&prompt, admin).await?;
    tracing::info!(prompt_id = %prompt.prompt_id, kind = %prompt.kind, %admin, "prompt created");
    Ok(prompt)
}

/// Replaces a prompt's text, interests and whether it is in use (its kind stays), audited.
/// A retired prompt is kept: answers and conversations keep their copy of its text.
pub async fn update(
    app: &App,
    admin: &UserId,
    id: &PromptId,
    (text, interests, active): (&str, Vec<String>, bool),
    now: DateTime<Utc>,
) -> Result<Prompt, ApiError> {
    let existing = app.store.prompt(id, now).await?.ok_or(ApiError::NotFound)?;
    let draft = PromptDraft::checked(existing.kind, text, interests, active)?;
    let prompt = Prompt { created_at: existing.created_at, ..draft.into_prompt(id.clone(), existing.kind, now) };
    if !app.store.update_prompt(&prompt, admin).await? {
        return Err(ApiError::NotFound);
    }
    tracing::info!(prompt_id = %id, active, %admin, "prompt updated");
    Ok(prompt)
}

/// An answer as users see it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AnswerView {
    pub prompt_id: PromptId,
    pub question: String,
    pub text: String,
    pub day: NaiveDate,
    pub answered_at: DateTime<Utc>,
}

impl From<PromptAnswer> for AnswerView {
    fn from(a: PromptAnswer) -> Self {
        Self { prompt_id: a.prompt_id, question: a.question, text: a.text, day: a.day, answered_at: a.answered_at }
    }
}

/// A prompt as users see it (no interests, no catalogue state).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PromptView {
    pub prompt_id: PromptId,
    pub kind: PromptKind,
    pub text: String,
}

/// Today's daily prompt for the caller and their answer of today, if any.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Today {
    /// The caller's local day.
    pub day: NaiveDate,
    pub prompt: Option<PromptView>,
    pub answer: Option<AnswerView>,
}

pub async fn today(app: &App, user_id: &UserId, now: DateTime<Utc>) -> Result<Today, ApiError> {
    let user = account(app, user_id, now).await?;
    let (day, _) = local_day(&user.timezone, now);
    let (prompts, answer) = tokio::try_join!(app.store.prompts(now), app.store.prompt_answer(user_id, day, now))?;
    let prompt = daily_prompt(&prompts, day).map(|p| PromptView {
        prompt_id: p.prompt_id.clone(),
        kind: p.kind,
        text: p.text.clone(),
    });
    Ok(Today { day, prompt, answer: answer.map(AnswerView::from) })
}

/// The caller's answer to an active daily prompt, for their local day (answering again the
/// same day replaces it: the same answer twice changes nothing). Refused whole when the
/// text would be hidden as a message would.
pub async fn answer(
    app: &App,
    user_id: &UserId,
    prompt_id: &PromptId,
    raw_text: &str,
    now: DateTime<Utc>,
) -> Result<AnswerView, ApiError> {
    let text = clean_answer(raw_text)?;
    screen(app, &text, now)?;
    let (prompt, user) = tokio::try_join!(
        async { Ok::<_, ApiError>(app.store.prompt(prompt_id, now).await?) },
        account(app, user_id, now)
    )?;
    let prompt = prompt.filter(|p| p.kind == PromptKind::Daily).ok_or(ApiError::NotFound)?;
    if !prompt.active {
        return Err(ApiError::Conflict {
            code: ErrorCode::PromptRetired,
            message: "this prompt is no longer asked".into(),
        });
    }
    let (day, _) = local_day(&user.timezone, now);
    let answer = PromptAnswer {
        user_id: user_id.clone(),
        prompt_id: prompt.prompt_id,
        question: prompt.text,
        text,
        day,
        answered_at: now,
    };
    app.store.put_prompt_answer(&answer).await?;
    Ok(answer.into())
}

/// Answers are shown to partners: what moderation would hide in a message is refused here.
/// Contact details are judged as late in a conversation (only revealed partners see them).
fn screen(app: &App, text: &str, now: DateTime<Utc>) -> Result<(), ApiError> {
    let context = MessageContext {
        text,
        sent_at: now,
        conversation_started_at: now - Duration::days(365),
        earlier_by_author: &[],
    };
    match verdict(app.classifier.classify(&context), app.config.moderation_rules.hide_at) {
        Verdict::Visible => Ok(()),
        Verdict::Hide(findings) => {
            let label = findings.first().map(|f| f.label.replace('_', " ")).unwrap_or_default();
            Err(FieldError::new("text", format!("not accepted: {label}")).into())
        }
    }
}

/// The partner's answers of the last week, newest first — only in a revealed conversation
/// (`None` otherwise: an anonymous partner's answers could identify them).
pub async fn partner_answers(
    app: &App,
    conversation: &ConversationRecord,
    me: &UserId,
    now: DateTime<Utc>,
) -> Result<Option<Vec<AnswerView>>, ApiError> {
    let Some(partner) = tandem_domain::conversation::peer_of(&conversation.participants, me) else { return Ok(None) };
    if !conversation.reveal.revealed() {
        return Ok(None);
    }
    let since = (now - Duration::days(ANSWERS_SHOWN_DAYS)).date_naive();
    let answers = app.store.prompt_answers_since(partner, since, now).await?;
    Ok(Some(answers.into_iter().map(AnswerView::from).collect()))
}
