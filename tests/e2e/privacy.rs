//! Data lifecycle end to end: the retention purge on the test clock (ended conversations,
//! availability, connections), reads that hide what has passed its deadline before any
//! purge, account deletion with its grace period and what erasure leaves, and the export
//! checked against the data model's item families.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{Duration, Utc};
use serde_json::Value;
use tandem_tests::*;

type Item = HashMap<String, AttributeValue>;

const DAY: i64 = 24 * 3600;

async fn send(api: &TestApi, session: &Session, conversation: &str, client_id: &str) -> String {
    let path = format!("/v1/conversations/{conversation}/messages");
    let reply = api.post_auth(&path, &session.access, json!({"clientMessageId": client_id, "text": "hello"})).await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    reply.body["messageId"].as_str().expect("messageId").to_owned()
}

fn text(item: &Item, name: &str) -> String {
    item.get(name).and_then(|v| v.as_s().ok()).cloned().unwrap_or_default()
}

/// Every string in an item (keys, attributes, nested), for "does it mention …".
fn strings(value: &AttributeValue, out: &mut Vec<String>) {
    match value {
        AttributeValue::S(s) => out.push(s.clone()),
        AttributeValue::Ss(list) => out.extend(list.iter().cloned()),
        AttributeValue::L(list) => list.iter().for_each(|v| strings(v, out)),
        AttributeValue::M(map) => map.values().for_each(|v| strings(v, out)),
        _ => {}
    }
}

fn mentions(item: &Item, needle: &str) -> bool {
    let mut all = Vec::new();
    item.values().for_each(|v| strings(v, &mut all));
    all.iter().any(|s| s.contains(needle))
}

fn in_partition(items: &[Item], partition: &str) -> usize {
    items.iter().filter(|i| text(i, "pk") == partition).count()
}

#[tokio::test]
async fn an_ended_conversation_is_hidden_at_its_deadline_and_purged_with_its_match() {
    let api = TestApi::start().await;
    let (a, b, conversation) = api.matched_pair().await;
    let message = send(&api, &a, &conversation, "a-1").await;
    send(&api, &b, &conversation, "b-1").await;
    let read = api
        .post_auth(&format!("/v1/conversations/{conversation}/read"), &b.access, json!({ "messageId": message }))
        .await;
    assert!(read.status.is_success(), "{}", read.body);
    let closed = api.post_auth(&format!("/v1/conversations/{conversation}/close"), &a.access, json!({})).await;
    assert_eq!(closed.status, 200, "{}", closed.body);
    let partition = format!("CONV#{conversation}");
    let conversation_id = conversation.parse().unwrap();
    let store = &api.app.store;

    // Right after the end nothing is due; the messages are still readable.
    let purge = api.run_job("retention-purge").await;
    assert_eq!(purge.body["conversations"], 0, "{}", purge.body);
    assert!(in_partition(&api.items().await, &partition) >= 5, "conversation, 2 messages, 2 guards, read position");

    // Past the deadline, before any purge: every read hides it (TTL has not run either).
    let after = Utc::now() + Duration::days(2) + Duration::minutes(1);
    assert!(store.conversation(&conversation_id, after).await.unwrap().is_none());
    assert!(store.messages_before(&conversation_id, None, 50, after).await.unwrap().is_empty());
    assert!(store.read_positions(&conversation_id, after).await.unwrap().is_empty());

    // The purge on the clock two days on: the whole partition and the match are gone.
    api.advance_clock(2 * DAY + 120).await;
    let purge = api.run_job("retention-purge").await;
    assert_eq!(purge.body["conversations"], 1, "{}", purge.body);
    assert!(purge.body["conversationItems"].as_u64().unwrap() >= 5, "{}", purge.body);
    let items = api.items().await;
    assert_eq!(in_partition(&items, &partition), 0, "nothing left in the conversation's partition");
    assert_eq!(items.iter().filter(|i| text(i, "pk").starts_with("MATCH#")).count(), 0, "the match went with it");

    // A rerun finds nothing more to do.
    let again = api.run_job("retention-purge").await;
    assert_eq!(again.body["conversations"], 0, "{}", again.body);

    // Availability records go after 7 days (the clock is 2 days on).
    assert_eq!(items.iter().filter(|i| text(i, "sk").starts_with("AVAIL#")).count(), 2);
    api.advance_clock(5 * DAY).await;
    let purge = api.run_job("retention-purge").await;
    assert!(purge.body["items"].as_u64().unwrap() >= 2, "{}", purge.body);
    let items = api.items().await;
    assert_eq!(items.iter().filter(|i| text(i, "sk").starts_with("AVAIL#")).count(), 0);
}

#[tokio::test]
async fn a_connection_past_its_deadline_is_purged_and_a_live_one_is_kept() {
    let api = TestApi::start().await;
    let a = api.member("Ana", "Europe/Paris").await;
    let chat = Chat::connect(&api, &a.access).await.expect("connects");
    let purge = api.run_job("retention-purge").await;
    assert_eq!(purge.body["items"], 0, "a live connection stays: {}", purge.body);
    assert_eq!(api.count_items("CONN#").await, 1);
    api.advance_clock(4 * 3600).await;
    let purge = api.run_job("retention-purge").await;
    assert_eq!(purge.body["items"], 1, "{}", purge.body);
    assert_eq!(api.count_items("CONN#").await, 0);
    chat.close().await;
}
