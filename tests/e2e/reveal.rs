//! Anonymous-first conversations end to end: a pseudonym until both consent, decision gates
//! counted from the first exchange (announced over the WebSocket, answered once each), the
//! reveal told to both with the fields the partner revealed, "end" closing the conversation,
//! and no response or event ever carrying a field the partner did not reveal (the contract
//! checker asserts that on every partner it sees).

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{Duration, SecondsFormat, Utc};
use serde_json::Value;
use tandem_tests::*;

async fn gate(api: &TestApi, session: &Session, conversation: &str, gate: Value, answer: &str) -> Reply {
    let path = format!("/v1/conversations/{conversation}/decision-gate");
    api.post_auth(&path, &session.access, json!({ "gate": gate, "answer": answer })).await
}

async fn consent(api: &TestApi, session: &Session, conversation: &str) -> Reply {
    api.post_auth(&format!("/v1/conversations/{conversation}/reveal-consent"), &session.access, json!({})).await
}

async fn say(api: &TestApi, session: &Session, conversation: &str, client_id: &str) {
    let path = format!("/v1/conversations/{conversation}/messages");
    let sent = api.post_auth(&path, &session.access, json!({"clientMessageId": client_id, "text": "hello"})).await;
    assert_eq!(sent.status, 201, "{}", sent.body);
}

/// Moves the conversation's first exchange `minutes` into the past, as if both had written then.
async fn exchanged_minutes_ago(api: &TestApi, conversation: &str, minutes: i64) {
    let then =
        AttributeValue::S((Utc::now() - Duration::minutes(minutes)).to_rfc3339_opts(SecondsFormat::Micros, true));
    api.dynamodb
        .update_item()
        .table_name(api.table())
        .key("pk", AttributeValue::S(format!("CONV#{conversation}")))
        .key("sk", AttributeValue::S("CONV".into()))
        .update_expression("SET activity[0].firstMessageAt = :then, activity[1].firstMessageAt = :then")
        .expression_attribute_values(":then", then)
        .send()
        .await
        .expect("backdated");
}

async fn partner(api: &TestApi, session: &Session) -> Value {
    let today = api.get("/v1/match/today", Some(&session.access)).await;
    assert_eq!(today.status, 200, "{}", today.body);
    today.body["partner"].clone()
}

#[tokio::test]
async fn nothing_is_revealed_without_both_consents_then_both_see_what_the_other_revealed() {
    let api = TestApi::start().await;
    let (ana, ben, conversation) = api.matched_pair().await;
    let mut ana_chat = Chat::connect(&api, &ana.access).await.unwrap();
    let mut ben_chat = Chat::connect(&api, &ben.access).await.unwrap();

    let seen_by_ben = partner(&api, &ben).await;
    assert_eq!(seen_by_ben["revealed"], false);
    let pseudonym = seen_by_ben["pseudonym"].as_str().unwrap().to_owned();
    assert_ne!(pseudonym, "Ana");

    // One consent reveals nothing, however often it is given.
    for _ in 0..2 {
        let consented = consent(&api, &ana, &conversation).await;
        assert_eq!(consented.status, 200, "{}", consented.body);
        assert_eq!(consented.body["consented"], true);
        assert_eq!(consented.body["revealed"], false);
    }
    assert_eq!(partner(&api, &ben).await["revealed"], false);
    let view = api.get(&format!("/v1/conversations/{conversation}"), Some(&ben.access)).await;
    assert_eq!(view.body["reveal"], json!({"revealed": false}), "no exchange yet: no gate");

    // Gates count from the first exchange: none before both wrote, none before 10 minutes.
    gate(&api, &ben, &conversation, json!(1), "reveal").await.expect_error(409, "gate_not_open");
    say(&api, &ana, &conversation, "a-1").await;
    say(&api, &ben, &conversation, "b-1").await;
    gate(&api, &ben, &conversation, json!(1), "reveal").await.expect_error(409, "gate_not_open");
    let view = api.get(&format!("/v1/conversations/{conversation}"), Some(&ben.access)).await;
    assert!(view.body["reveal"]["nextGateAt"].is_string(), "{}", view.body);
    for (body_gate, answer) in
        [(json!(0), "reveal"), (json!(4), "reveal"), (json!("one"), "reveal"), (json!(1), "maybe")]
    {
        let refused = gate(&api, &ben, &conversation, body_gate, answer).await;
        assert_eq!(refused.status, 400, "{}", refused.body);
    }

    // 25 minutes later the next message announces gate 2 to both, once.
    exchanged_minutes_ago(&api, &conversation, 25).await;
    say(&api, &ana, &conversation, "a-2").await;
    for chat in [&mut ana_chat, &mut ben_chat] {
        let announced = chat.expect("conversation.gate").await;
        assert_eq!(announced["gate"], 2, "{announced}");
        assert_eq!(announced["conversationId"], conversation.as_str());
    }
    say(&api, &ben, &conversation, "b-2").await;
    gate(&api, &ben, &conversation, json!(3), "reveal").await.expect_error(409, "gate_not_open");

    // Gate 1: "not yet" is recorded once; a change of mind at the same gate is refused.
    for _ in 0..2 {
        let not_yet = gate(&api, &ben, &conversation, json!(1), "not_yet").await;
        assert_eq!(not_yet.status, 200, "{}", not_yet.body);
        assert_eq!(not_yet.body["consented"], false);
        assert_eq!(not_yet.body["revealed"], false);
    }
    gate(&api, &ben, &conversation, json!(1), "reveal").await.expect_error(409, "gate_already_answered");
    assert_eq!(partner(&api, &ana).await["revealed"], false);
    assert_eq!(partner(&api, &ben).await["revealed"], false);

    // Gate 2: Ben says yes, Ana had consented: revealed, and both are told.
    let revealed = gate(&api, &ben, &conversation, json!(2), "reveal").await;
    assert_eq!(revealed.status, 200, "{}", revealed.body);
    assert_eq!(revealed.body["revealed"], true);
    let told_ana = ana_chat.expect("conversation.revealed").await;
    assert_eq!(told_ana["partner"]["firstName"], "Ben");
    assert_eq!(told_ana["partner"]["city"], "Lyon");
    let told_ben = ben_chat.expect("conversation.revealed").await;
    assert_eq!(told_ben["partner"]["firstName"], "Ana");
    assert_eq!(told_ben["partner"]["pseudonym"], pseudonym.as_str(), "the pseudonym stays");

    // From now on every view of the partner carries what they revealed.
    let seen_by_ben = partner(&api, &ben).await;
    assert_eq!(seen_by_ben["revealed"], true);
    assert_eq!(seen_by_ben["firstName"], "Ana");
    assert_eq!(seen_by_ben["revealedFields"], json!(["firstName", "city"]), "no photo to reveal");
    let view = api.get(&format!("/v1/conversations/{conversation}"), Some(&ana.access)).await;
    assert_eq!(view.body["reveal"]["revealed"], true);
    assert!(view.body["reveal"].get("consents").is_none() && view.body.get("answers").is_none());

    // The export keeps the caller's own answers and consent, not the partner's.
    let export = api.post_auth("/v1/me/export", &ben.access, json!({})).await;
    assert_eq!(export.status, 200, "{}", export.body);
    let exported = &export.body["conversations"][0]["reveal"];
    assert_eq!(exported["myConsent"], true);
    assert_eq!(exported["myAnswers"].as_array().unwrap().len(), 2, "{exported}");
    assert!(exported.get("consents").is_none() && exported.get("answers").is_none());
    assert_eq!(export.body["matches"][0]["partner"]["firstName"], "Ana");
}

#[tokio::test]
async fn end_at_a_gate_closes_the_conversation_and_outsiders_get_nothing() {
    let api = TestApi::start().await;
    let (ana, ben, conversation) = api.matched_pair().await;
    let outsider = api.member("Cy", "Europe/Paris").await;
    let mut ben_chat = Chat::connect(&api, &ben.access).await.unwrap();
    say(&api, &ana, &conversation, "a-1").await;
    say(&api, &ben, &conversation, "b-1").await;
    exchanged_minutes_ago(&api, &conversation, 12).await;

    gate(&api, &outsider, &conversation, json!(1), "reveal").await.expect_error(404, "not_found");
    consent(&api, &outsider, &conversation).await.expect_error(404, "not_found");
    let export = api.post_auth("/v1/me/export", &ana.access, json!({})).await;
    assert_eq!(export.body["matches"][0]["partner"]["revealed"], false, "{}", export.body["matches"]);

    let ended = gate(&api, &ana, &conversation, json!(1), "end").await;
    assert_eq!(ended.status, 200, "{}", ended.body);
    assert_eq!(ended.body["ended"], true);
    let closed = ben_chat.expect("conversation.closed").await;
    assert_eq!(closed["conversation"]["state"], "closed");
    // A retry answers the same; anything new is refused, the conversation being over.
    let again = gate(&api, &ana, &conversation, json!(1), "end").await;
    assert_eq!(again.status, 200, "{}", again.body);
    consent(&api, &ben, &conversation).await.expect_error(409, "conversation_closed");
    assert_eq!(partner(&api, &ben).await.get("firstName"), None);
}
