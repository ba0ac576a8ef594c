//! `/v1/prompts*`: today's daily prompt and the caller's answer.

pub mod answer;
pub mod today;
