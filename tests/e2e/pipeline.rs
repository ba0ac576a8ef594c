//! The asynchronous chain's guarantees, through the local stack's emulation of it: only a
//! failed record is redelivered, a record that always fails ends in the dead-letter queue
//! after 5 receives, and a stored message is scanned even when SQS was down at send time.

use std::sync::atomic::Ordering::Relaxed;
use std::time::Duration;

use tandem_local::emulators::{self, Moto};
use tandem_tests::*;

fn send(conversation: &str, client_id: &str, text: &str) -> serde_json::Value {
    json!({"action": "sendMessage", "conversationId": conversation, "clientMessageId": client_id, "text": text})
}

#[tokio::test]
async fn only_the_failing_record_is_redelivered_and_a_poison_one_lands_in_the_dead_letter_queue() {
    let api = TestApi::start().await;
    let (a, _b, conversation) = api.matched_pair().await;
    let worker = api.pipeline.status.workers.iter().find(|w| w.function == "moderation-worker").unwrap().clone();
    let path = format!("/v1/conversations/{conversation}/messages");
    // Stored messages arrive through the pipe; a malformed change is put on the queue
    // directly, next to them, so they share batches.
    let poison = json!({"eventName": "INSERT", "pk": "CONV#not-an-id", "sk": "MSG#not-an-id"});
    api.sqs
        .send_message()
        .queue_url(&api.queues["ModerationQueue"])
        .message_body(poison.to_string())
        .send()
        .await
        .expect("send poison");
    for i in 0..4 {
        let body = json!({"clientMessageId": format!("c{i}"), "text": format!("fine message {i}")});
        assert_eq!(api.post_auth(&path, &a.access, body).await.status, 201);
    }
    let dead = api
        .eventually(40, "the poison record in the DLQ", || async {
            let dead = api.drain_queue("ModerationDeadLetterQueue").await;
            (!dead.is_empty()).then_some(dead)
        })
        .await;
    assert_eq!(dead, [poison], "the record reaches the DLQ unchanged");
    assert_eq!(worker.failed.load(Relaxed), 5, "received and failed 5 times, then dead-lettered");
    assert_eq!(worker.succeeded.load(Relaxed), 4, "each good record processed once, never redelivered");
    let items = api.items().await;
    let scanned =
        items.iter().filter(|i| i.get("moderation").and_then(|m| m.as_s().ok()).is_some_and(|m| m == "scanned"));
    assert_eq!(scanned.count(), 4);
}

#[tokio::test]
async fn a_message_sent_while_sqs_is_down_is_scanned_once_it_is_back() {
    let port = emulators::reserve_port(0, "moto").unwrap();
    let moto = Moto::start(&local_dir(), port).await.expect("a moto of this test's own");
    let api = TestApi::start_on(|_| {}, Default::default(), Some(moto.endpoint())).await;
    let (a, b, conversation) = api.matched_pair().await;
    let mut ana = Chat::connect(&api, &a.access).await.unwrap();
    let mut ben = Chat::connect(&api, &b.access).await.unwrap();

    moto.stop().await;
    ana.send(send(&conversation, "down", "my number is 06 12 34 56 78")).await;
    let ack = ana.expect("message.ack").await;
    assert_eq!(ack["duplicate"], false, "the send does not depend on SQS");
    let id = ack["message"]["messageId"].clone();
    assert_eq!(ben.expect("message.new").await["message"]["messageId"], id);
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(ben.quiet_for(100).await, "nothing can be scanned while SQS is down");

    // A restarted moto has lost its queues: the pipe creates them again and delivers.
    let _moto = Moto::start(&local_dir(), port).await.expect("moto again");
    ben.patience = Duration::from_secs(30);
    assert_eq!(ben.expect("message.hidden").await["messageId"], id);
    assert_eq!(ana.expect("message.hidden").await["messageId"], id);
}

/// A pipe whose stream reads fail resumes each shard after the last record it forwarded (as
/// Pipes keeps its position): every message insert is forwarded once, none twice, none skipped.
#[tokio::test]
async fn a_pipe_whose_reads_fail_forwards_each_record_once() {
    let api = TestApi::start().await;
    let (a, _b, conversation) = api.matched_pair().await;
    let scan_pipe = api.pipeline.status.pipes.iter().find(|p| p.name == "MessageScanPipe").unwrap().clone();
    let path = format!("/v1/conversations/{conversation}/messages");
    let send_some = |from: usize| {
        let (api, a, path) = (&api, &a, &path);
        async move {
            for i in from..from + 5 {
                let body = json!({"clientMessageId": format!("r-{i}"), "text": format!("hello {i}")});
                assert_eq!(api.post_auth(path, &a.access, body).await.status, 201);
            }
        }
    };
    send_some(0).await;
    api.eventually(15, "the first five forwarded", || async { (scan_pipe.forwarded.load(Relaxed) >= 5).then_some(()) })
        .await;
    scan_pipe.failing_reads.store(3, Relaxed);
    send_some(5).await;
    api.eventually(15, "the reads failed", || async { (scan_pipe.failing_reads.load(Relaxed) == 0).then_some(()) })
        .await;
    api.eventually(15, "the next five forwarded", || async { (scan_pipe.forwarded.load(Relaxed) >= 10).then_some(()) })
        .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(scan_pipe.forwarded.load(Relaxed), 10, "each message insert once");
}
