//! End-to-end tests through the local gateway and the real handlers, against
//! DynamoDB Local. Run with `scripts/test.sh`, which starts the engine.

mod auth;
mod chat;
mod drift;
mod engagement;
mod errors;
mod events;
mod friends;
mod iam;
mod intent;
mod keys;
mod limits;
mod moderation;
mod oidc;
mod pairing;
mod pipeline;
mod privacy;
mod profile;
mod prompts;
mod push;
mod reveal;
mod smoke;
mod trust;
