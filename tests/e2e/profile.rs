use tandem_tests::*;

fn profile() -> serde_json::Value {
    json!({
        "firstName": "Ada",
        "birthYear": 1990,
        "bio": "Engines and poetry.",
        "city": "London",
        "interests": {"science": 90, "books": 60},
        "values": {"honesty": 100},
        "communication": {"directness": 70, "humour": 40, "responsePace": "quick"},
        "depth": "deep",
        "chatHours": [{"start": "18:00", "end": "22:00"}],
        "visibility": "visible",
        "timezone": "Europe/Paris",
        "locale": "fr-FR"
    })
}

#[tokio::test]
async fn profile_update_is_visible_in_me() {
    let api = TestApi::start().await;
    let session = api.register(&unique_email()).await;
    let updated = api.put("/v1/me/profile", &session.access, profile()).await;
    assert_eq!(updated.status, 200, "{}", updated.body);
    assert_eq!(updated.body["timezone"], "Europe/Paris");
    let me = api.get("/v1/me", Some(&session.access)).await;
    assert_eq!(me.body["profile"]["firstName"], "Ada");
    assert_eq!(me.body["profile"]["interests"]["science"], 90);
    assert_eq!(me.body["profile"]["communication"]["responsePace"], "quick");
    assert_eq!(me.body["profile"]["chatHours"][0]["start"], "18:00:00");
    assert_eq!(me.body["locale"], "fr-FR");
}

#[tokio::test]
async fn invalid_profile_fields_are_each_listed_and_nothing_changes() {
    let api = TestApi::start().await;
    let session = api.register(&unique_email()).await;
    assert_eq!(api.put("/v1/me/profile", &session.access, profile()).await.status, 200);
    let before = api.get("/v1/me", Some(&session.access)).await.body;

    let bad = json!({
        "firstName": "",
        "birthYear": 2015,
        "bio": "x".repeat(281),
        "interests": {"astrology": 10, "science": 150},
        "communication": {"humour": "lots"},
        "timezone": "Atlantis/Capital",
        "locale": "??"
    });
    let reply = api.put("/v1/me/profile", &session.access, bad).await;
    let details = reply.expect_error(400, "validation_failed");
    let mut fields: Vec<&str> = details.as_array().unwrap().iter().map(|d| d["field"].as_str().unwrap()).collect();
    fields.sort();
    assert_eq!(
        fields,
        [
            "bio",
            "birthYear",
            "communication.humour",
            "firstName",
            "interests.astrology",
            "interests.science",
            "locale",
            "timezone"
        ]
    );
    assert!(details.as_array().unwrap().iter().all(|d| d["message"].as_str().is_some_and(|m| !m.is_empty())));
    assert_eq!(api.get("/v1/me", Some(&session.access)).await.body, before);
}

#[tokio::test]
async fn users_only_ever_see_and_change_their_own_data() {
    let api = TestApi::start().await;
    let alice = api.register(&unique_email()).await;
    let bob = api.register(&unique_email()).await;
    assert_eq!(api.put("/v1/me/profile", &alice.access, profile()).await.status, 200);
    let alice_before = api.get("/v1/me", Some(&alice.access)).await.body;

    let mut bobs = profile();
    bobs["firstName"] = json!("Bob");
    assert_eq!(api.put("/v1/me/profile", &bob.access, bobs).await.status, 200);

    let bob_view = api.get("/v1/me", Some(&bob.access)).await.body;
    assert_eq!(bob_view["id"], bob.user_id);
    assert_eq!(bob_view["profile"]["firstName"], "Bob");
    assert!(!bob_view.to_string().contains(&alice.email));
    assert_eq!(api.get("/v1/me", Some(&alice.access)).await.body, alice_before, "Bob's write left Alice untouched");
}

#[tokio::test]
async fn profile_routes_require_a_token() {
    let api = TestApi::start().await;
    let reply = api.send(api.http.put(format!("{}/v1/me/profile", api.base)).json(&profile())).await;
    reply.expect_error(401, "unauthenticated");
    assert!(reply.headers.contains_key("www-authenticate"));
}
