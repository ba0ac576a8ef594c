//! Prompts end to end: admins keep the catalogue (validated, audited, retired not deleted),
//! a sweep opens each conversation with an icebreaker chosen from the pair's shared
//! interests, users answer today's daily prompt, and a partner sees those answers only once
//! the conversation is revealed.

use serde_json::Value;
use tandem_tests::*;

use crate::moderation::admin;

async fn create(api: &TestApi, admin: &Session, body: Value) -> Value {
    let reply = api.post_auth("/v1/admin/prompts", &admin.access, body).await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    reply.body
}

async fn catalogue(api: &TestApi, admin: &Session, query: &str) -> Vec<Value> {
    let reply = api.get(&format!("/v1/admin/prompts{query}"), Some(&admin.access)).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.body["prompts"].as_array().unwrap().clone()
}

async fn conversation(api: &TestApi, session: &Session, id: &str) -> Value {
    let reply = api.get(&format!("/v1/conversations/{id}"), Some(&session.access)).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.body
}

async fn answer(api: &TestApi, session: &Session, prompt: &Value, text: &str) -> Reply {
    api.post_auth(&format!("/v1/prompts/{}/answer", prompt.as_str().unwrap()), &session.access, json!({ "text": text }))
        .await
}

/// The values of the string attribute `name` over the whole table.
async fn attribute_values(api: &TestApi, name: &str) -> Vec<String> {
    let items = api.items().await;
    items.iter().filter_map(|item| item.get(name).and_then(|v| v.as_s().ok()).cloned()).collect()
}

#[tokio::test]
async fn admins_keep_the_catalogue_and_a_conversation_opens_with_an_icebreaker_on_shared_interests() {
    let api = TestApi::start().await;
    let admin = admin(&api).await;
    let member = api.member("Cleo", "Europe/Paris").await;
    let general = json!({"kind": "icebreaker", "text": "What made you smile today?"});
    api.post_auth("/v1/admin/prompts", &member.access, general.clone()).await.expect_error(403, "admin_only");
    api.get("/v1/admin/prompts", Some(&member.access)).await.expect_error(403, "admin_only");

    // Refused whole, nothing stored.
    for bad in [
        json!({"kind": "daily", "text": "Your perfect Sunday?", "interests": ["hiking"]}),
        json!({"kind": "icebreaker", "text": "Best trail?", "interests": ["astrology"]}),
        json!({"kind": "icebreaker", "text": "   "}),
        json!({"kind": "icebreaker", "text": "x".repeat(281)}),
        json!({"kind": "icebreaker", "text": "Best trail?", "interests": ["hiking", "hiking"]}),
    ] {
        api.post_auth("/v1/admin/prompts", &admin.access, bad).await.expect_error(400, "validation_failed");
    }
    for misshapen in
        [json!({"kind": "riddle", "text": "Why?"}), json!({"kind": "icebreaker", "text": "Hi?", "extra": true})]
    {
        api.post_auth("/v1/admin/prompts", &admin.access, misshapen).await.expect_error(400, "invalid_body");
    }
    assert!(catalogue(&api, &admin, "").await.is_empty());

    let general = create(&api, &admin, general).await;
    assert_eq!((general["active"].clone(), general["interests"].clone()), (json!(true), json!([])));
    let hiking = create(
        &api,
        &admin,
        json!({"kind": "icebreaker", "text": "What is the best trail you have ever hiked?", "interests": ["nature", "hiking"]}),
    )
    .await;
    assert_eq!(hiking["interests"], json!(["hiking", "nature"]));
    let cooking =
        create(&api, &admin, json!({"kind": "icebreaker", "text": "Your signature dish?", "interests": ["cooking"]}))
            .await;
    let daily =
        create(&api, &admin, json!({"kind": "daily", "text": "What would your perfect Sunday look like?"})).await;
    // A retried create with its idempotency key adds nothing.
    let retried = |key: &str| {
        api.http
            .post(format!("{}/v1/admin/prompts", api.base))
            .bearer_auth(&admin.access)
            .header("Idempotency-Key", key)
            .json(&json!({"kind": "daily", "text": "A book you would give a stranger?"}))
    };
    let first = api.send(retried("prompt-1")).await;
    assert_eq!(first.status, 201, "{}", first.body);
    assert_eq!(api.send(retried("prompt-1")).await.body, first.body);
    assert_eq!(catalogue(&api, &admin, "").await.len(), 5);
    assert_eq!(catalogue(&api, &admin, "?kind=daily").await.len(), 2);
    api.get("/v1/admin/prompts?kind=riddle", Some(&admin.access)).await.expect_error(400, "validation_failed");

    // Retiring keeps the prompt; edits are checked like creations; the kind stays.
    let path = format!("/v1/admin/prompts/{}", cooking["promptId"].as_str().unwrap());
    let retired = api
        .put(&path, &admin.access, json!({"text": "Your signature dish?", "interests": ["cooking"], "active": false}))
        .await;
    assert_eq!(retired.status, 200, "{}", retired.body);
    assert_eq!((retired.body["active"].clone(), retired.body["kind"].clone()), (json!(false), json!("icebreaker")));
    api.put(&path, &admin.access, json!({"text": "", "active": true})).await.expect_error(400, "validation_failed");
    let daily_path = format!("/v1/admin/prompts/{}", daily["promptId"].as_str().unwrap());
    let tagged = json!({"text": "Sunday?", "interests": ["yoga"], "active": true});
    api.put(&daily_path, &admin.access, tagged).await.expect_error(400, "validation_failed");
    let unknown = format!("/v1/admin/prompts/{}", uuid::Uuid::now_v7());
    api.put(&unknown, &admin.access, json!({"text": "Hi?", "active": true})).await.expect_error(404, "not_found");
    assert_eq!(catalogue(&api, &admin, "").await.iter().filter(|p| p["active"] == false).count(), 1);

    // Both members like hiking most (80): the hiking icebreaker, not the general one.
    let (ana, ben, id) = api.matched_pair().await;
    let (seen_by_ana, seen_by_ben) = (conversation(&api, &ana, &id).await, conversation(&api, &ben, &id).await);
    assert_eq!(seen_by_ana["icebreaker"]["promptId"], hiking["promptId"], "{seen_by_ana}");
    assert_eq!(seen_by_ana["icebreaker"]["interest"], "hiking");
    assert_eq!(seen_by_ana["icebreaker"], seen_by_ben["icebreaker"]);
    // The conversation keeps the text it opened with when the catalogue changes.
    let hiking_path = format!("/v1/admin/prompts/{}", hiking["promptId"].as_str().unwrap());
    let edited = api
        .put(&hiking_path, &admin.access, json!({"text": "Favourite summit?", "interests": ["hiking"], "active": true}))
        .await;
    assert_eq!(edited.status, 200, "{}", edited.body);
    assert_eq!(
        conversation(&api, &ana, &id).await["icebreaker"]["text"],
        "What is the best trail you have ever hiked?"
    );
    // Events carrying the conversation carry its icebreaker too (checked against AsyncAPI).
    let mut ben_chat = Chat::connect(&api, &ben.access).await.unwrap();
    let closed = api.post_auth(&format!("/v1/conversations/{id}/close"), &ana.access, json!({})).await;
    assert_eq!(closed.body["icebreaker"]["promptId"], hiking["promptId"], "{}", closed.body);
    let event = ben_chat.expect("conversation.closed").await;
    assert_eq!(event["conversation"]["icebreaker"]["interest"], "hiking", "{event}");

    // Every change is in the audit log, under the admin: five creations, two edits.
    let audited = attribute_values(&api, "action").await;
    let prompt_actions: Vec<&String> = audited.iter().filter(|a| a.starts_with("prompt_")).collect();
    assert_eq!(prompt_actions.len(), 7, "{prompt_actions:?}");
}

#[tokio::test]
async fn a_daily_answer_is_shown_to_a_partner_only_once_revealed() {
    let api = TestApi::start().await;
    let admin = admin(&api).await;
    let (ana, ben, id) = api.matched_pair().await;
    api.get("/v1/prompts/today", None).await.expect_error(401, "unauthenticated");
    let empty = api.get("/v1/prompts/today", Some(&ana.access)).await;
    assert_eq!(empty.status, 200, "{}", empty.body);
    assert_eq!((empty.body["prompt"].clone(), empty.body["answer"].clone()), (Value::Null, Value::Null));
    assert!(conversation(&api, &ana, &id).await.get("icebreaker").is_none(), "no catalogue, no icebreaker");

    let icebreaker = create(&api, &admin, json!({"kind": "icebreaker", "text": "Hello there?"})).await;
    let daily =
        create(&api, &admin, json!({"kind": "daily", "text": "What would your perfect Sunday look like?"})).await;
    let today = api.get("/v1/prompts/today", Some(&ana.access)).await;
    assert_eq!(today.body["prompt"]["promptId"], daily["promptId"], "{}", today.body);
    let paris_day = chrono::Utc::now().with_timezone(&chrono_tz::Europe::Paris).date_naive().to_string();
    assert_eq!(today.body["day"], paris_day.as_str());

    // Bad answers change nothing.
    let prompt = &daily["promptId"];
    answer(&api, &ana, prompt, " ").await.expect_error(400, "validation_failed");
    answer(&api, &ana, prompt, &"x".repeat(501)).await.expect_error(400, "validation_failed");
    answer(&api, &ana, prompt, "F U C K   y0u").await.expect_error(400, "validation_failed");
    answer(&api, &ana, &icebreaker["promptId"], "hi").await.expect_error(404, "not_found");
    answer(&api, &ana, &json!(uuid::Uuid::now_v7().to_string()), "hi").await.expect_error(404, "not_found");
    let path = format!("/v1/prompts/{}/answer", prompt.as_str().unwrap());
    api.post_auth(&path, &ana.access, json!({"text": "hi", "mood": 3})).await.expect_error(400, "invalid_body");
    assert_eq!(api.get("/v1/prompts/today", Some(&ana.access)).await.body["answer"], Value::Null);

    let first = answer(&api, &ana, prompt, "A slow breakfast, then the market").await;
    assert_eq!(first.status, 200, "{}", first.body);
    assert_eq!(first.body["question"], "What would your perfect Sunday look like?");
    // Again the same day replaces it: one answer a day.
    let second = answer(&api, &ana, prompt, "A long walk along the coast").await;
    assert_eq!(second.status, 200, "{}", second.body);
    let today = api.get("/v1/prompts/today", Some(&ana.access)).await;
    assert_eq!(today.body["answer"]["text"], "A long walk along the coast");
    let answers = attribute_values(&api, "sk").await;
    assert_eq!(answers.iter().filter(|sk| sk.starts_with("ANSWER#")).count(), 1, "one answer a day");

    // Anonymous: Ben sees none of Ana's answers (the contract checker asserts it everywhere).
    assert!(conversation(&api, &ben, &id).await.get("partnerAnswers").is_none());
    for session in [&ana, &ben] {
        let consent =
            api.post_auth(&format!("/v1/conversations/{id}/reveal-consent"), &session.access, json!({})).await;
        assert_eq!(consent.status, 200, "{}", consent.body);
    }
    let seen_by_ben = conversation(&api, &ben, &id).await;
    let answers = seen_by_ben["partnerAnswers"].as_array().expect("answers once revealed");
    assert_eq!(answers.len(), 1, "{seen_by_ben}");
    assert_eq!(answers[0]["text"], "A long walk along the coast");
    assert_eq!(conversation(&api, &ana, &id).await["partnerAnswers"], json!([]), "Ben answered nothing");

    // The caller's export carries their answer; a retired prompt takes no more answers.
    let export = api.post_auth("/v1/me/export", &ana.access, json!({})).await;
    assert_eq!(export.status, 200, "{}", export.body);
    assert_eq!(export.body["promptAnswers"][0]["text"], "A long walk along the coast");
    let retire = format!("/v1/admin/prompts/{}", prompt.as_str().unwrap());
    let retired = api.put(&retire, &admin.access, json!({"text": "Sunday?", "active": false})).await;
    assert_eq!(retired.status, 200, "{}", retired.body);
    answer(&api, &ben, prompt, "Sleeping in").await.expect_error(409, "prompt_retired");
    assert_eq!(api.get("/v1/prompts/today", Some(&ben.access)).await.body["prompt"], Value::Null);
}
