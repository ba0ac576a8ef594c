//! Weekly intent and trust in pairing, end to end: the intent is set for the caller's ISO
//! week and weighed when they queue (a shared one adds points and a reason, last week's
//! counts for nothing); users below the trust floor are paired only with each other; the
//! match view never carries anything of either user's trust.

use aws_sdk_dynamodb::types::AttributeValue;
use tandem_tests::*;

const PARIS: &str = "Europe/Paris";

async fn queue(api: &TestApi, session: &Session) {
    let reply = api.put("/v1/availability/today", &session.access, json!({})).await;
    assert_eq!(reply.status, 200, "queue: {}", reply.body);
}

async fn set_intent(api: &TestApi, session: &Session, intent: &str) -> Reply {
    api.put("/v1/me/intent", &session.access, json!({ "intent": intent })).await
}

/// Lowers a user's trust by `amount` as confirmed reports would (the item pairing reads).
async fn lower_trust(api: &TestApi, session: &Session, amount: i64) {
    api.dynamodb
        .put_item()
        .table_name(api.table())
        .item("pk", AttributeValue::S(format!("USER#{}", session.user_id)))
        .item("sk", AttributeValue::S("TRUST".into()))
        .item("reportsConfirmed", AttributeValue::N((-amount).to_string()))
        .send()
        .await
        .expect("trust written");
}

#[tokio::test]
async fn an_intent_holds_for_the_week_and_refuses_what_is_not_an_intent() {
    let api = TestApi::start().await;
    let ada = api.member("Ada", "Asia/Tokyo").await;
    for body in
        [json!({"intent": "romance"}), json!({}), json!({"intent": "deep_talk", "extra": 1}), json!("deep_talk")]
    {
        api.put("/v1/me/intent", &ada.access, body).await.expect_error(400, "invalid_body");
    }
    let me = api.get("/v1/me", Some(&ada.access)).await;
    assert!(me.body.get("intent").is_none(), "nothing stored: {}", me.body);

    let set = set_intent(&api, &ada, "deep_talk").await;
    assert_eq!(set.status, 200, "{}", set.body);
    assert_eq!(set.body["intent"], "deep_talk");
    // The week is the caller's: Tokyo's, whatever the server's.
    let expected = tandem_domain::intent::iso_week("Asia/Tokyo", chrono::Utc::now());
    assert_eq!(set.body["week"], expected.as_str());
    let replaced = set_intent(&api, &ada, "light_chat").await;
    assert_eq!(replaced.status, 200, "{}", replaced.body);
    let me = api.get("/v1/me", Some(&ada.access)).await;
    assert_eq!(me.body["intent"]["intent"], "light_chat");

    api.put("/v1/me/intent", "not-a-token", json!({"intent": "deep_talk"})).await.expect_error(401, "unauthenticated");
}

#[tokio::test]
async fn a_shared_intent_this_week_adds_points_and_a_reason_and_last_week_s_does_not() {
    let api = TestApi::start().await;
    let (ada, bo) = (api.member("Ada", PARIS).await, api.member("Bo", PARIS).await);
    for session in [&ada, &bo] {
        assert_eq!(set_intent(&api, session, "deep_talk").await.status, 200);
        queue(&api, session).await;
    }
    assert_eq!(api.run_job("pairing-sweep").await.body["created"], 1);
    let shared = api.get("/v1/match/today", Some(&ada.access)).await;
    assert_eq!(shared.body["breakdown"]["sharedIntent"], 5.0, "{}", shared.body);
    assert!(shared.body["reasons"].as_array().unwrap().contains(&json!("you both want a deep talk this week")));

    // Last week's intent is not this week's preference.
    let (cy, di) = (api.member("Cy", PARIS).await, api.member("Di", PARIS).await);
    for session in [&cy, &di] {
        assert_eq!(set_intent(&api, session, "deep_talk").await.status, 200);
        let stale = [("intent", "deep_talk"), ("week", "2020-W01"), ("setAt", "2020-01-01T10:00:00Z")]
            .map(|(name, value)| (name.to_owned(), AttributeValue::S(value.to_owned())));
        api.set_account_attribute(&session.user_id, "intent", AttributeValue::M(stale.into())).await;
        queue(&api, session).await;
    }
    assert_eq!(api.run_job("pairing-sweep").await.body["created"], 1);
    let stale = api.get("/v1/match/today", Some(&cy.access)).await;
    assert_eq!(stale.body["breakdown"]["sharedIntent"], 0.0, "{}", stale.body);
    assert!(!stale.body["reasons"].as_array().unwrap().iter().any(|r| r.as_str().unwrap().contains("this week")));
}

#[tokio::test]
async fn users_below_the_trust_floor_are_paired_only_with_each_other() {
    let api = TestApi::start().await;
    let (low, ana) = (api.member("Lo", PARIS).await, api.member("Ana", PARIS).await);
    lower_trust(&api, &low, 30).await; // 50 − 30 = 20, below the floor of 30
    queue(&api, &low).await;
    queue(&api, &ana).await;
    let report = api.run_job("pairing-sweep").await;
    assert_eq!(report.body["created"], 0, "{}", report.body);
    assert_eq!(report.body["unmatched"], 2, "{}", report.body);

    let (low_too, ben) = (api.member("Lu", PARIS).await, api.member("Ben", PARIS).await);
    lower_trust(&api, &low_too, 25).await;
    queue(&api, &low_too).await;
    queue(&api, &ben).await;
    assert_eq!(api.run_job("pairing-sweep").await.body["created"], 2);
    let low_match = api.get("/v1/match/today", Some(&low.access)).await;
    assert_eq!(low_match.body["partner"]["userId"], low_too.user_id, "{}", low_match.body);
    let ana_match = api.get("/v1/match/today", Some(&ana.access)).await;
    assert_eq!(ana_match.body["partner"]["userId"], ben.user_id, "{}", ana_match.body);
    // Identical profiles: the shown scores are equal whatever each pair's trust.
    assert_eq!(low_match.body["score"], ana_match.body["score"]);
    assert_eq!(low_match.body["breakdown"], ana_match.body["breakdown"]);
}
