//! The use cases, one module per family. Services decide: they take typed inputs (ids
//! parsed at the edge, validated values), apply the domain's rules, call the store and the
//! outbound adapters, and return typed outcomes that routes and jobs shape into responses.

pub mod accounts;
pub mod admin;
pub mod availability;
pub mod conversation_access;
pub mod conversation_views;
pub mod conversations;
pub mod devices;
pub mod events;
pub mod friendships;
pub mod ghosting;
pub mod health;
pub mod idempotency;
pub mod limits;
pub mod matchmaking;
pub mod moderation;
pub mod notifications;
pub mod presence;
pub mod privacy;
pub mod prompts;
pub mod push;
pub mod reports;
pub mod retention;
pub mod reveal;
pub mod rewards;
pub mod safety;
pub mod sessions;
pub mod trust;
