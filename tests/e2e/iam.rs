//! Every function runs under its own policy of `template.yaml`, locally as in AWS: a call its
//! statements do not allow is refused the way AWS refuses it, and the code sees that error
//! through the real SDK.

use aws_sdk_dynamodb::error::ProvideErrorMetadata;
use aws_sdk_dynamodb::types::{AttributeValue, ConditionCheck, Put, TransactWriteItem};
use serde_json::json;
use tandem_tests::{TestApi, unique_email};

fn key(pk: &str) -> std::collections::HashMap<String, AttributeValue> {
    [("pk".to_owned(), AttributeValue::S(pk.into())), ("sk".to_owned(), AttributeValue::S("X".into()))].into()
}

#[tokio::test]
async fn a_route_whose_function_lacks_a_grant_fails_with_access_denied_and_changes_nothing() {
    let api = TestApi::start_under(
        |_| {},
        Default::default(),
        None,
        |iam| iam.revoke("me-profile-put", "dynamodb:UpdateItem"),
    )
    .await;
    let user = api.register(&unique_email()).await;
    let profile = json!({"firstName": "Ana", "birthYear": 1994, "city": "Lyon"});
    // Sent around the contract check: a 500 is (rightly) documented nowhere.
    let refused = api
        .http
        .put(format!("{}/v1/me/profile", api.base))
        .bearer_auth(&user.access)
        .json(&profile)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 500);
    let body: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["code"], "internal_error", "{body}");
    let refusals = api.functions.iam().unwrap().refusals();
    assert_eq!(refusals.len(), 1, "{refusals:?}");
    assert_eq!((refusals[0].function.as_str(), refusals[0].action.as_str()), ("me-profile-put", "dynamodb:UpdateItem"));
    assert!(refusals[0].resource.ends_with(&format!(":table/{}", api.table())), "{}", refusals[0].resource);
    let me = api.get("/v1/me", Some(&user.access)).await;
    assert_eq!(me.body["profile"]["firstName"], json!(null), "nothing written: {}", me.body);
}

#[tokio::test]
async fn the_sdk_sees_access_denied_for_an_action_a_resource_or_one_item_of_a_transaction() {
    let api = TestApi::start_under(
        |_| {},
        Default::default(),
        None,
        |iam| iam.revoke("availability-put", "dynamodb:ConditionCheckItem"),
    )
    .await;
    let client = |function: &str| aws_sdk_dynamodb::Client::new(api.functions.sdk_config(function).unwrap());
    let table = api.table().to_owned();

    // system-health may read an item, nothing else.
    let health = client("system-health");
    assert!(health.get_item().table_name(&table).set_key(Some(key("A"))).send().await.is_ok());
    let put = health.put_item().table_name(&table).set_item(Some(key("A"))).send().await.unwrap_err();
    assert_eq!(put.code(), Some("AccessDeniedException"), "{put:?}");
    assert!(put.message().unwrap_or_default().contains("dynamodb:PutItem"), "{put:?}");

    // A grant on the table does not cover its indexes.
    let blocks = client("blocks-list");
    let query = |index: Option<&str>| {
        blocks
            .query()
            .table_name(&table)
            .set_index_name(index.map(str::to_owned))
            .key_condition_expression(if index.is_some() { "gsi1pk = :p" } else { "pk = :p" })
            .expression_attribute_values(":p", AttributeValue::S("A".into()))
            .send()
    };
    assert!(query(None).await.is_ok());
    assert_eq!(query(Some("gsi1")).await.unwrap_err().code(), Some("AccessDeniedException"));

    // A transaction needs the action of each of its items.
    let writer = client("availability-put");
    let transact = |with_check: bool| {
        let mut items = vec![
            TransactWriteItem::builder()
                .put(Put::builder().table_name(&table).set_item(Some(key("B"))).build().unwrap())
                .build(),
        ];
        if with_check {
            items.push(
                TransactWriteItem::builder()
                    .condition_check(
                        ConditionCheck::builder()
                            .table_name(&table)
                            .set_key(Some(key("A")))
                            .condition_expression("attribute_exists(pk)")
                            .build()
                            .unwrap(),
                    )
                    .build(),
            );
        }
        writer.transact_write_items().set_transact_items(Some(items)).send()
    };
    assert_eq!(transact(true).await.unwrap_err().code(), Some("AccessDeniedException"));
    let stored = api.dynamodb.get_item().table_name(&table).set_key(Some(key("B"))).send().await.unwrap();
    assert!(stored.item().is_none(), "a refused transaction writes nothing");
    assert!(transact(false).await.is_ok());
}

#[tokio::test]
async fn sns_secrets_and_the_management_api_refuse_a_function_without_their_grant() {
    let api = TestApi::start().await;
    let sdk = api.functions.sdk_config("me-get").unwrap();

    let sns = aws_sdk_sns::Client::new(sdk);
    let arn = "arn:aws:sns:us-east-1:123456789012:endpoint/APNS/app/device";
    let published = sns.publish().target_arn(arn).message("hi").send().await.unwrap_err();
    assert_eq!(aws_sdk_sns::error::ProvideErrorMetadata::code(&published), Some("AuthorizationError"), "{published:?}");

    let secrets = aws_sdk_secretsmanager::Client::new(api.functions.sdk_config("system-health").unwrap());
    let read = secrets.get_secret_value().secret_id("tandem/local/jwt-signing-keys").send().await.unwrap_err();
    assert_eq!(aws_sdk_secretsmanager::error::ProvideErrorMetadata::code(&read), Some("AccessDeniedException"));

    let management = aws_sdk_apigatewaymanagement::Client::from_conf(
        aws_sdk_apigatewaymanagement::config::Builder::from(sdk).endpoint_url(&api.base).build(),
    );
    let posted =
        management.post_to_connection().connection_id("c1").data(b"{}".to_vec().into()).send().await.unwrap_err();
    assert!(posted.as_service_error().is_some_and(|e| e.is_forbidden_exception()), "{posted:?}");
    let refusals = api.functions.iam().unwrap().refusals();
    let actions: Vec<&str> = refusals.iter().map(|r| r.action.as_str()).collect();
    assert_eq!(actions, ["sns:Publish", "secretsmanager:GetSecretValue", "execute-api:ManageConnections"]);
}
