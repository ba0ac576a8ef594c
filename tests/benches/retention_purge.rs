//! What the retention purge costs on DynamoDB Local: 10,000 conversations past their
//! deadline, each with its partition (4 messages, 4 client-message guards, 2 read
//! positions) and its match: one run deletes them all, a second finds nothing to do.
//!
//! `RUST_LOG=warn scripts/with-emulators.sh cargo bench -p tandem-tests --bench retention_purge`
//!
//! Seeding writes the items directly (BatchWriteItem), shaped as the store writes them
//! at a conversation's end: the conversation filed in the purge index at its deadline.

use std::collections::HashMap;
use std::time::{Duration as StdDuration, Instant};

use aws_sdk_dynamodb::types::{AttributeValue, PutRequest, WriteRequest};
use chrono::{DateTime, Duration, Utc};
use futures::stream::{self, StreamExt};
use tandem_api::services::retention::purge_due;
use tandem_domain::{ConversationId, MatchId, MessageId, UserId};
use tandem_store::keys;
use tandem_tests::*;

const CONVERSATIONS: usize = 10_000;
const MESSAGES: usize = 4;
const SEED_CONCURRENCY: usize = 32;

fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

fn n(value: i64) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

/// One ended conversation's items: itself (in the purge index), its match, its partition.
fn conversation_items(deadline: DateTime<Utc>) -> Vec<HashMap<String, AttributeValue>> {
    let (conversation, match_id) = (ConversationId::generate(), MatchId::generate());
    let users = [UserId::generate(), UserId::generate()];
    let partition = keys::conversation_partition(&conversation);
    let item = |(pk, sk): (String, String), extra: Vec<(&str, AttributeValue)>| {
        let mut item = HashMap::from([("pk".to_owned(), s(pk)), ("sk".to_owned(), s(sk))]);
        item.insert("ttl".to_owned(), n(deadline.timestamp()));
        item.extend(extra.into_iter().map(|(k, v)| (k.to_owned(), v)));
        item
    };
    let mut items = vec![
        item(
            keys::conversation(&conversation),
            vec![
                ("conversationId", s(conversation.as_str())),
                ("matchId", s(match_id.as_str())),
                ("state", s("expired")),
                ("gsi2pk", s(keys::purge_gsi2(&partition))),
                ("gsi2sk", n(deadline.timestamp())),
            ],
        ),
        item(keys::pairing_match(&match_id), vec![("matchId", s(match_id.as_str()))]),
    ];
    for m in 0..MESSAGES {
        let author = &users[m % 2];
        let message = MessageId::generate();
        let text = "a message of an ordinary length, about sixty characters long";
        items.push(item(
            keys::message(&conversation, &message),
            vec![("text", s(text)), ("author", s(author.as_str()))],
        ));
        items.push(item(keys::client_message(&conversation, author, &format!("c-{m}")), vec![]));
    }
    for user in &users {
        items.push(item(keys::read_position(&conversation, user), vec![]));
    }
    items
}

async fn seed(store: &tandem_store::Store, deadline: DateTime<Utc>) {
    let client = store.client().clone();
    let table = store.table_name().to_owned();
    let started = Instant::now();
    let items: Vec<_> = (0..CONVERSATIONS).flat_map(|_| conversation_items(deadline)).collect();
    let total = items.len();
    let chunks: Vec<Vec<_>> = items.chunks(25).map(<[_]>::to_vec).collect();
    stream::iter(chunks)
        .for_each_concurrent(SEED_CONCURRENCY, |chunk| {
            let (client, table) = (client.clone(), table.clone());
            async move {
                let mut pending: Vec<WriteRequest> = chunk
                    .into_iter()
                    .map(|item| {
                        WriteRequest::builder()
                            .put_request(PutRequest::builder().set_item(Some(item)).build().unwrap())
                            .build()
                    })
                    .collect();
                while !pending.is_empty() {
                    let output = client.batch_write_item().request_items(&table, pending).send().await.expect("seed");
                    pending = output.unprocessed_items.and_then(|mut u| u.remove(&table)).unwrap_or_default();
                }
            }
        })
        .await;
    eprintln!("seeded {CONVERSATIONS} conversations ({total} items) in {:.0} s", started.elapsed().as_secs_f64());
}

#[tokio::main]
async fn main() {
    let api = TestApi::start().await;
    api.pipeline.stop();
    let (app, calls) = counted(&api).await;
    let deadline: DateTime<Utc> = "2030-03-06T12:00:00Z".parse().unwrap();
    seed(&api.app.store, deadline).await;
    let total_items = api.items().await.len();
    calls.take();

    println!("\n### retention-purge: {CONVERSATIONS} ended conversations past their deadline\n");
    println!("| run | conversations | items deleted | ms | items / s | calls |");
    println!("|---|---|---|---|---|---|");
    for run in ["first (everything due)", "second (nothing left)"] {
        let started = Instant::now();
        let report =
            purge_due(&app, deadline + Duration::minutes(1), StdDuration::from_secs(900)).await.expect("purge");
        let ms = started.elapsed().as_millis();
        let deleted = report.conversation_items;
        let rate = (deleted as u128 * 1000).checked_div(ms).unwrap_or(0);
        println!("| {run} | {} | {deleted} | {ms} | {rate} | {} |", report.conversations, calls_text(&calls.take()));
        assert!(report.complete);
    }
    let left = api.items().await.len();
    println!("\nItems in the table before: {total_items}; after: {left}.");
    assert_eq!(left, 0, "everything seeded was past its deadline");
}
