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
    // The end is counted in both histories by the worker (outcome items in the partition)
    // within seconds; the purge comes days later.
    api.eventually(15, "both outcomes recorded", || async {
        let items = api.items().await;
        (items.iter().filter(|i| text(i, "sk").starts_with("OUTCOME#")).count() == 2).then_some(())
    })
    .await;

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

/// An item family of the data model: its name and key patterns.
struct Family {
    name: String,
    pk: regex_lite::Regex,
    sk: regex_lite::Regex,
}

/// A key pattern of the data model (`USER#<userId>`) as an anchored regex.
fn key_pattern(cell: &str) -> regex_lite::Regex {
    let spelled = cell.split('`').nth(1).unwrap_or(cell);
    let mut pattern = spelled.to_owned();
    // Placeholders nest (`<kind, or badge:<name>>`): replace the innermost until none.
    let placeholder = regex_lite::Regex::new(r"<[^<>]*>").unwrap();
    while placeholder.is_match(&pattern) {
        pattern = placeholder.replace_all(&pattern, "\u{1}").into_owned();
    }
    let escaped = regex_lite::escape(&pattern).replace('\u{1}', ".+");
    regex_lite::Regex::new(&format!("^{escaped}$")).unwrap()
}

/// Rows of the markdown table that follows `heading` in `docs/data-model.md`.
fn table_rows(heading: &str) -> Vec<Vec<String>> {
    let doc = std::fs::read_to_string(workspace_root().join("docs/data-model.md")).expect("data model");
    let section = doc.split(heading).nth(1).expect("section");
    section
        .lines()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .skip(2)
        .map(|l| l.trim_matches('|').split(" | ").map(|c| c.trim().to_owned()).collect())
        .collect()
}

fn families() -> Vec<Family> {
    table_rows("## Item types")
        .into_iter()
        .map(|row| Family { name: row[0].clone(), pk: key_pattern(&row[1]), sk: key_pattern(&row[2]) })
        .collect()
}

/// Each family's export sections (document paths), or none when documented as not exported.
fn export_sections() -> BTreeMap<String, Vec<String>> {
    table_rows("## Export")
        .into_iter()
        .map(|row| {
            let paths = if row[1].starts_with('—') {
                Vec::new()
            } else {
                row[1].split('`').skip(1).step_by(2).map(str::to_owned).collect()
            };
            (row[0].clone(), paths)
        })
        .collect()
}

/// Items that name the user but are another's act about them, exported without the other's
/// ids (or not at all): a block against them (and its mirror in their partition), another's
/// availability, audit entries
/// (an admin's action on their account is shown as `{action, at, days}`), a report about
/// them and its guard.
fn others_act(family: &str, item: &Item, user: &str) -> bool {
    let pk = text(item, "pk");
    match family {
        "Blocked-by (mirror)" => pk == format!("USER#{user}"),
        // Another user's block of them, another's day whose match or exclusions name them.
        "Block" | "Availability" => pk != format!("USER#{user}"),
        // An entry's own id is internal; the entry is shown by action, target and time.
        "Audit entry" => true,
        "Report" => text(item, "reporter") != user,
        "Report guard" => !pk.starts_with(&format!("REPORTGUARD#{user}#")),
        _ => false,
    }
}

fn at_path<'a>(document: &'a Value, path: &str) -> &'a Value {
    path.split('.').fold(document, |value, key| &value[key])
}

fn non_empty(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Array(list) => !list.is_empty(),
        Value::Object(map) => !map.is_empty(),
        _ => true,
    }
}

/// A user who has done what the product allows: profile, preferences, a device, a
/// socket, a heartbeat, queued and matched, messages both ways after a reminder, a read
/// position, a report and a block, a closed conversation counted in their history, a
/// daily-prompt answer, a friendship and a message in the friends' conversation, a refreshed
/// session. Returns them and their partner.
async fn a_full_life(api: &TestApi) -> (Session, Session, String) {
    let (a, b, conversation) = api.matched_pair().await;
    let prefs = json!({"kinds": {"match": true, "message": true, "expiring": false, "reminder": true, "safety": true, "reward": true},
                       "quietHours": null});
    assert_eq!(api.put("/v1/me/notifications", &a.access, prefs).await.status, 200);
    device(api, &a, "ios", &format!("apns:{}", uuid_hex())).await;
    assert!(api.post_auth("/v1/presence/heartbeat", &a.access, json!({})).await.status.is_success());
    let chat = Chat::connect(api, &a.access).await.expect("a connects");
    // B writes, A stays silent long enough to be reminded, then answers.
    let first = send(api, &b, &conversation, "b-1").await;
    api.advance_clock(6 * 3600 + 60).await;
    assert_eq!(api.run_job("ghost-reminders").await.body["reminded"], 1);
    send(api, &a, &conversation, "a-1").await;
    let read = api
        .post_auth(&format!("/v1/conversations/{conversation}/read"), &a.access, json!({ "messageId": first }))
        .await;
    assert!(read.status.is_success(), "{}", read.body);
    let report = json!({"reportedUserId": b.user_id, "conversationId": conversation, "reason": "spam_or_scam", "details": "links"});
    assert_eq!(api.post_auth("/v1/reports", &a.access, report).await.status, 201);
    let stranger = api.member("Sam", "Europe/Paris").await;
    let block = api.post_auth("/v1/blocks", &a.access, json!({"userId": stranger.user_id})).await;
    assert!(block.status.is_success(), "{}", block.body);
    // B blocks A too: a block against A, which A's export must not show.
    let against = api.post_auth("/v1/blocks", &b.access, json!({"userId": a.user_id})).await;
    assert!(against.status.is_success(), "{}", against.body);
    api.eventually(15, "both outcomes recorded", || async {
        let items = api.items().await;
        (items.iter().filter(|i| text(i, "sk").starts_with("OUTCOME#")).count() == 2).then_some(())
    })
    .await;
    // A answers the daily prompt an admin wrote.
    let admin = crate::moderation::admin(api).await;
    let daily =
        api.post_auth("/v1/admin/prompts", &admin.access, json!({"kind": "daily", "text": "A perfect Sunday?"})).await;
    assert_eq!(daily.status, 201, "{}", daily.body);
    let path = format!("/v1/prompts/{}/answer", daily.body["promptId"].as_str().unwrap());
    let answered = api.post_auth(&path, &a.access, json!({"text": "The market, then a long lunch"})).await;
    assert_eq!(answered.status, 200, "{}", answered.body);
    // A and Fay, after an earlier conversation, both reflected "again": friends, who talk in
    // a conversation of their own.
    let fay = api.member("Fay", "Europe/Paris").await;
    let origin = crate::trust::ended_between(api, &a, &fay, Duration::hours(1), false).await;
    for session in [&a, &fay] {
        let again = crate::trust::reflect(api, session, &origin, json!({"vibe": 5, "outcome": "again"})).await;
        assert_eq!(again.status, 201, "{}", again.body);
    }
    let friends = api.get("/v1/friends", Some(&a.access)).await;
    let friends_conversation = friends.body["friends"][0]["conversationId"].as_str().expect("friends").to_owned();
    send(api, &a, &friends_conversation, "f-1").await;
    let refreshed = api.post("/v1/auth/refresh", json!({ "refreshToken": a.refresh })).await;
    assert_eq!(refreshed.status, 200, "{}", refreshed.body);
    chat.close().await;
    let a = Session { access: refreshed.body["accessToken"].as_str().unwrap().to_owned(), ..a };
    (a, b, conversation)
}

#[tokio::test]
async fn the_export_holds_every_item_family_that_names_the_user() {
    let api = TestApi::start().await;
    let (a, b, conversation) = a_full_life(&api).await;
    // B reports A: a report about A, which A's export must not show.
    let about_a = json!({"reportedUserId": a.user_id, "reason": "spam_or_scam", "details": "theirs"});
    let filed = api.post_auth("/v1/reports", &b.access, about_a).await;
    assert_eq!(filed.status, 201, "{}", filed.body);

    // Both reflect on their ended conversation: A's reflection, and a trust entry on A.
    let reflection = json!({"vibe": 4, "outcome": "maybe", "tags": ["curious"]});
    for session in [&a, &b] {
        let path = format!("/v1/conversations/{conversation}/reflection");
        let reflected = api.post_auth(&path, &session.access, reflection.clone()).await;
        assert_eq!(reflected.status, 201, "{}", reflected.body);
    }

    let export = api.post_auth("/v1/me/export", &a.access, json!({})).await;
    assert_eq!(export.status, 200, "{}", export.body);
    let document = &export.body;
    assert_eq!(document["reflections"][0]["vibe"], 4);
    assert!(document["reflections"][0].get("subject").is_none(), "{}", document["reflections"]);
    assert_eq!(document["trust"]["ledger"][0]["source"], "reflection");

    // Every row of the item table has an export row, and the other way round.
    let (families, sections) = (families(), export_sections());
    let names: BTreeSet<&String> = families.iter().map(|f| &f.name).collect();
    assert_eq!(names, sections.keys().collect(), "the item and export tables list the same families");

    // Every item that names A belongs to a family, and that family's section has data.
    let ids = regex_lite::Regex::new("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}").unwrap();
    let mut seen = BTreeSet::new();
    for item in api.items().await {
        if !mentions(&item, &a.user_id) {
            continue;
        }
        let (pk, sk) = (text(&item, "pk"), text(&item, "sk"));
        let family = families
            .iter()
            .find(|f| f.pk.is_match(&pk) && f.sk.is_match(&sk))
            .unwrap_or_else(|| panic!("{pk} / {sk} names the user but matches no family of the data model"));
        seen.insert(family.name.clone());
        // An item lands in one of its family's sections (an audit entry as actor or subject),
        // and that section names what the item's keys name (its conversation, message,
        // match, report, friend …): a section holding something else is no proof.
        let paths = &sections[&family.name];
        assert!(
            paths.is_empty() || paths.iter().any(|path| non_empty(at_path(document, path))),
            "{} ({pk} / {sk}) is not in the export at {paths:?}",
            family.name
        );
        if paths.is_empty() || others_act(&family.name, &item, &a.user_id) {
            continue;
        }
        let shown: String = paths.iter().map(|path| at_path(document, path).to_string()).collect();
        for id in ids.find_iter(&format!("{pk} {sk}")).map(|m| m.as_str()).filter(|id| *id != a.user_id) {
            assert!(shown.contains(id), "{} ({pk} / {sk}): {id} is not in the export at {paths:?}", family.name);
        }
    }
    for expected in [
        "User",
        "Availability",
        "Match",
        "Conversation",
        "Message",
        "Read position",
        "Reminder",
        "Block",
        "Report",
        "Push token",
        "Session (refresh-token family)",
        "Audit entry",
        "Conversation outcome",
        "Reflection",
        "Reflected pair",
        "Prompt answer",
        "Friendship",
    ] {
        assert!(seen.contains(expected), "the scenario covers {expected}: {seen:?}");
    }

    // What it must not hold: secrets, others' acts, the partner's messages.
    let text_of_export = document.to_string();
    assert!(!text_of_export.contains("$argon2"), "no password hash");
    assert!(!text_of_export.contains("apns:"), "device tokens are masked");
    assert!(
        document["reportsFiled"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["reportId"].is_string() && r.get("resolution").is_none())
    );
    assert!(!text_of_export.contains(filed.body["reportId"].as_str().unwrap()), "no report about the user");
    assert!(document["blocks"].as_array().unwrap().iter().all(|b| b["other"] != a.user_id.as_str()));
    assert!(document["messages"].as_array().unwrap().iter().all(|m| m["author"] == a.user_id.as_str()));
    assert_eq!(document["account"]["email"], a.email.as_str());
    assert_eq!(document["account"]["hasPassword"], true);
    assert!(document["sessions"][0]["lastUsedAt"].is_string(), "{}", document["sessions"]);
    assert_eq!(document["matches"][0]["partner"]["userId"], b.user_id.as_str());
    let conversations = document["conversations"].to_string();
    assert!(conversations.contains(&conversation), "the day's conversation");
    let friends_conversation = document["friends"][0]["conversationId"].as_str().expect("a friend");
    assert!(conversations.contains(friends_conversation), "the friends' conversation: {conversations}");
    assert!(
        document["messages"].as_array().unwrap().iter().any(|m| m["conversationId"] == friends_conversation),
        "the user's message in the friends' conversation"
    );
    assert!(document["matches"][0]["partner"].get("email").is_none());
}

#[tokio::test]
async fn deletion_waits_a_week_can_be_cancelled_then_leaves_only_the_tombstones() {
    let api = TestApi::start().await;
    let (a, b, _conversation) = a_full_life(&api).await;
    let about_a = json!({"reportedUserId": a.user_id, "reason": "spam_or_scam", "details": "theirs"});
    assert_eq!(api.post_auth("/v1/reports", &b.access, about_a).await.status, 201);

    // Scheduled: pending, out of the pool, still signed in; asking again changes nothing.
    let scheduled = api.post_auth("/v1/me/deletion", &a.access, json!({})).await;
    assert_eq!(scheduled.status, 202, "{}", scheduled.body);
    assert_eq!(scheduled.body["status"], "pending_deletion");
    let again = api.post_auth("/v1/me/deletion", &a.access, json!({})).await;
    assert_eq!(again.body["dueAt"], scheduled.body["dueAt"]);
    let me = api.get("/v1/me", Some(&a.access)).await;
    assert_eq!(me.body["status"], "pending_deletion");
    assert_eq!(me.body["deletion"]["dueAt"], scheduled.body["dueAt"]);
    api.put("/v1/availability/today", &a.access, json!({})).await.expect_error(403, "account_pending_deletion");

    // Cancelled: active again; scheduled once more for real.
    let cancelled = api.delete("/v1/me/deletion", &a.access).await;
    assert_eq!(cancelled.status, 200, "{}", cancelled.body);
    assert_eq!(cancelled.body["status"], "active");
    api.delete("/v1/me/deletion", &a.access).await.expect_error(409, "no_deletion_pending");
    assert_eq!(api.post_auth("/v1/me/deletion", &a.access, json!({})).await.status, 202);

    // Not before the grace period is over.
    api.advance_clock(6 * DAY).await;
    assert_eq!(api.run_job("retention-purge").await.body["accountsErased"], 0);
    api.advance_clock(DAY + 3600).await;
    let purge = api.run_job("retention-purge").await;
    assert_eq!(purge.body["accountsErased"], 1, "{}", purge.body);

    // Only the documented tombstones name the user; nothing names the email.
    for item in api.items().await {
        let (pk, sk) = (text(&item, "pk"), text(&item, "sk"));
        assert!(!mentions(&item, &a.email), "{pk} / {sk} still names the email");
        if !mentions(&item, &a.user_id) {
            continue;
        }
        let tombstone = pk == format!("DELETED#{}", a.user_id)
            || pk.starts_with("AUDIT#")
            || pk.starts_with("REPORT#")
            || (pk.starts_with("REPORTGUARD#") && !pk.starts_with(&format!("REPORTGUARD#{}", a.user_id)))
            || (pk == format!("USER#{}", b.user_id) && sk == format!("REL#BLOCKS#{}", a.user_id));
        assert!(tombstone, "{pk} / {sk} names the erased user and is no documented tombstone");
    }
    // The partner's block still lists the erased id; the email is free again.
    let blocks = api.get("/v1/blocks", Some(&b.access)).await;
    assert!(
        blocks.body["blocks"].as_array().unwrap().iter().any(|x| x["userId"] == a.user_id.as_str()),
        "{}",
        blocks.body
    );
    assert_eq!(api.login(&a.email, PASSWORD).await.status, 401);
    api.register(&a.email).await;
    assert_eq!(api.run_job("retention-purge").await.body["accountsErased"], 0, "a rerun erases nothing more");
}

/// After an admin acts on a report, the reporter's export shows the report as
/// `GET /v1/reports/{id}` does (what they gave, its status) and the subject's shows the
/// action on their account: neither holds the admin's id or internal note, nor the subject's
/// export the report.
#[tokio::test]
async fn exports_after_a_resolved_report_hold_no_admin_note_admin_or_reporter() {
    let api = TestApi::start().await;
    let (a, b, conversation) = api.matched_pair().await;
    let boss = crate::moderation::admin(&api).await;
    let report = json!({"reportedUserId": a.user_id, "conversationId": conversation, "reason": "spam_or_scam"});
    let id = api.post_auth("/v1/reports", &b.access, report).await.body["reportId"].as_str().unwrap().to_owned();
    let note = "internal: third report this week, check the device";
    let action = json!({"action": "suspend", "note": note, "days": 3});
    let acted = api.post_auth(&format!("/v1/admin/reports/{id}/actions"), &boss.access, action).await;
    assert_eq!(acted.status, 200, "{}", acted.body);

    let reporter = api.post_auth("/v1/me/export", &b.access, json!({})).await;
    assert_eq!(reporter.status, 200, "{}", reporter.body);
    let filed = &reporter.body["reportsFiled"][0];
    assert_eq!(filed["reportId"], id.as_str());
    assert_eq!(filed["status"], "actioned");
    let text = reporter.body.to_string();
    assert!(!text.contains(note), "the admin's note: {filed}");
    assert!(!text.contains(&boss.user_id), "the admin's id: {filed}");

    let subject = api.post_auth("/v1/me/export", &a.access, json!({})).await;
    assert_eq!(subject.status, 200, "{}", subject.body);
    let actions = subject.body["audit"]["asSubject"].as_array().unwrap();
    assert!(actions.iter().any(|entry| entry["action"].as_str().is_some_and(|a| a.contains("suspend"))), "{actions:?}");
    let text = subject.body.to_string();
    // (The reporter is also the partner, whom the matches name; the report, not.)
    for hidden in [note, boss.user_id.as_str(), id.as_str()] {
        assert!(!text.contains(hidden), "the subject's export holds {hidden}");
    }
}
