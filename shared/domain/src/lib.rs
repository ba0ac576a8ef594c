//! Tandem's domain: the types, validation rules and invariants of the product.
//!
//! Pure Rust: no I/O, no AWS or Lambda types. Adapters (DynamoDB, HTTP) live in other crates
//! and translate to and from these types.

pub mod analytics;
pub mod availability;
pub mod catalogue;
pub mod conversation;
pub mod credentials;
pub mod email;
pub mod engagement;
pub mod ids;
pub mod intent;
pub mod limits;
pub mod moderation;
pub mod names;
pub mod notifications;
pub mod privacy;
pub mod profile;
pub mod prompts;
pub mod reports;
pub mod reveal;
pub mod rewards;
pub mod trust;
pub mod user;
pub mod validation;

pub use email::Email;
pub use ids::{ConversationId, MatchId, MessageId, PromptId, ReportId, UserId};
pub use profile::{Profile, ProfileUpdate};
pub use user::{Role, User, UserStatus};
pub use validation::{FieldError, ValidationErrors};
