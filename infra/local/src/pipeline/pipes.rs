//! EventBridge Pipes, locally: each pipe of the template reads the table's stream from
//! DynamoDB Local, keeps the records its filters pass and sends them (each the Lambda-shaped
//! stream record Pipes reads, shaped by the pipe's `InputTemplate`) to its queue in moto, one
//! `SendMessageBatch` per page read. A page is sent before the pipe moves past it: when SQS is
//! down the pipe waits and retries (and re-creates a queue a restarted moto lost), so nothing
//! committed is skipped. Like Pipes, it keeps each shard's position: after a failed read it
//! resumes after the last record it forwarded, so nothing is forwarded twice either.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use aws_sdk_dynamodbstreams::Client as StreamsClient;
use aws_sdk_dynamodbstreams::types::{Record, ShardIteratorType};
use serde_json::{Value, json};

use super::filter::Pattern;
use super::{PipeStatus, QueueDirectory};

/// How often a pipe asks the stream for new records, unless the last page was full. A
/// steady cadence (Pipes polls a shard about four times a second) batches what arrived in
/// between into one send instead of spinning on one record at a time.
const POLL_INTERVAL: Duration = Duration::from_millis(50);
/// How often the shard list is read again (new shards also appear when one closes).
const DESCRIBE_INTERVAL: Duration = Duration::from_secs(10);
const MAX_BACKOFF: Duration = Duration::from_secs(2);

pub(super) struct Pipe {
    pub streams: StreamsClient,
    pub stream_arn: String,
    pub patterns: Vec<Pattern>,
    pub queue: String,
    pub starting_position: ShardIteratorType,
    pub batch_size: i32,
    pub input_template: Option<String>,
    pub queues: Arc<QueueDirectory>,
    pub status: Arc<PipeStatus>,
}

impl Pipe {
    /// Runs until the task is aborted.
    pub async fn run(self) {
        let mut iterators: HashMap<String, String> = HashMap::new();
        // The last record forwarded from each shard: where a new iterator resumes.
        let mut positions: HashMap<String, String> = HashMap::new();
        let mut finished: HashSet<String> = HashSet::new();
        let mut first_pass = true;
        let mut shards: Vec<String> = Vec::new();
        let mut described_at: Option<tokio::time::Instant> = None;
        loop {
            if described_at.is_none_or(|at| at.elapsed() > DESCRIBE_INTERVAL) {
                match self.open_shards(&finished).await {
                    Ok(open) => {
                        shards = open;
                        described_at = Some(tokio::time::Instant::now());
                    }
                    Err(error) => {
                        tracing::warn!(pipe = %self.status.name, %error, "reading the stream failed; retrying");
                        tokio::time::sleep(MAX_BACKOFF).await;
                        continue;
                    }
                }
            }
            let mut full_page = false;
            for shard in shards.clone() {
                if !iterators.contains_key(&shard) {
                    // After the last record forwarded when there is one; else shards that
                    // appear later start at their beginning (nothing is skipped).
                    let resume = positions.get(&shard).cloned();
                    let position = match (&resume, first_pass) {
                        (Some(_), _) => ShardIteratorType::AfterSequenceNumber,
                        (None, true) => self.starting_position.clone(),
                        (None, false) => ShardIteratorType::TrimHorizon,
                    };
                    match self.iterator(&shard, position, resume).await {
                        Ok(iterator) => {
                            iterators.insert(shard.clone(), iterator);
                        }
                        Err(error) => {
                            tracing::warn!(pipe = %self.status.name, %error, "no shard iterator; retrying");
                            continue;
                        }
                    }
                }
                let Some(iterator) = iterators.get(&shard).cloned() else { continue };
                let injected = self
                    .status
                    .failing_reads
                    .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |left| left.checked_sub(1))
                    .is_ok();
                let read = if injected {
                    Err("an injected failure".to_owned())
                } else {
                    self.streams
                        .get_records()
                        .shard_iterator(&iterator)
                        .limit(self.batch_size)
                        .send()
                        .await
                        .map_err(|e| aws_sdk_dynamodbstreams::error::DisplayErrorContext(&e).to_string())
                };
                let page = match read {
                    Ok(page) => page,
                    Err(error) => {
                        tracing::warn!(pipe = %self.status.name, %error, "GetRecords failed; retrying");
                        iterators.remove(&shard);
                        continue;
                    }
                };
                full_page |= page.records().len() >= self.batch_size as usize;
                self.forward(page.records()).await;
                if let Some(last) = page.records().last().and_then(|r| r.dynamodb()).and_then(|d| d.sequence_number()) {
                    positions.insert(shard.clone(), last.to_owned());
                }
                match page.next_shard_iterator() {
                    Some(next) => {
                        iterators.insert(shard, next.to_owned());
                    }
                    None => {
                        // The shard is closed: its children are read next.
                        iterators.remove(&shard);
                        finished.insert(shard);
                        described_at = None;
                    }
                }
            }
            first_pass = false;
            if !full_page {
                tokio::time::sleep(POLL_INTERVAL).await;
            }
        }
    }

    async fn open_shards(&self, finished: &HashSet<String>) -> Result<Vec<String>, String> {
        let described = self
            .streams
            .describe_stream()
            .stream_arn(&self.stream_arn)
            .send()
            .await
            .map_err(|e| aws_sdk_dynamodbstreams::error::DisplayErrorContext(&e).to_string())?;
        let shards = described.stream_description().map(|d| d.shards()).unwrap_or_default();
        Ok(shards.iter().filter_map(|s| s.shard_id()).filter(|id| !finished.contains(*id)).map(str::to_owned).collect())
    }

    async fn iterator(
        &self,
        shard: &str,
        position: ShardIteratorType,
        after: Option<String>,
    ) -> Result<String, String> {
        let output = self
            .streams
            .get_shard_iterator()
            .stream_arn(&self.stream_arn)
            .shard_id(shard)
            .shard_iterator_type(position)
            .set_sequence_number(after)
            .send()
            .await
            .map_err(|e| aws_sdk_dynamodbstreams::error::DisplayErrorContext(&e).to_string())?;
        output.shard_iterator().map(str::to_owned).ok_or_else(|| "no iterator returned".to_owned())
    }

    /// Filters a page of records and sends those that pass, retrying until SQS took them all.
    async fn forward(&self, records: &[Record]) {
        let mut bodies = Vec::new();
        for record in records {
            let event = pipe_event(record, &self.stream_arn);
            if !self.patterns.iter().any(|pattern| pattern.matches(&event)) {
                self.status.filtered_out.fetch_add(1, Ordering::Relaxed);
                continue;
            }
            match &self.input_template {
                Some(template) => match super::transform::render(template, &event) {
                    Ok(body) => bodies.push(body),
                    // Pipes fails such a record to its dead-letter queue; locally, say so loudly.
                    Err(error) => {
                        tracing::error!(pipe = %self.status.name, %error, "the input template failed: record dropped")
                    }
                },
                None => bodies.push(event.to_string()),
            }
        }
        let mut backoff = Duration::from_millis(100);
        while !bodies.is_empty() {
            match self.queues.send_batch(&self.queue, &bodies).await {
                Ok(()) => {
                    self.status.forwarded.fetch_add(bodies.len() as u64, Ordering::Relaxed);
                    return;
                }
                Err(failure) => {
                    self.status.send_failures.fetch_add(1, Ordering::Relaxed);
                    tracing::warn!(pipe = %self.status.name, queue = %self.queue, error = %failure.error, "sending to the queue failed; retrying");
                    self.status.forwarded.fetch_add((bodies.len() - failure.unsent.len()) as u64, Ordering::Relaxed);
                    bodies = failure.unsent;
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                }
            }
        }
    }
}

/// The record as Pipes sends it: the shape of a Lambda DynamoDB event record.
fn pipe_event(record: &Record, stream_arn: &str) -> Value {
    let image = |map: Option<&HashMap<String, aws_sdk_dynamodbstreams::types::AttributeValue>>| {
        map.map(|m| serde_json::to_value(serde_dynamo::Item::from(m.clone())).unwrap_or(Value::Null))
    };
    let change = record.dynamodb();
    let mut dynamodb = json!({
        "ApproximateCreationDateTime": change.and_then(|c| c.approximate_creation_date_time()).map(|t| t.secs()),
        "Keys": image(change.and_then(|c| c.keys.as_ref())),
        "SequenceNumber": change.and_then(|c| c.sequence_number()),
        "SizeBytes": change.and_then(|c| c.size_bytes()),
        "StreamViewType": change.and_then(|c| c.stream_view_type()).map(|v| v.as_str().to_owned()),
    });
    if let Some(object) = dynamodb.as_object_mut() {
        if let Some(new_image) = image(change.and_then(|c| c.new_image.as_ref())) {
            object.insert("NewImage".into(), new_image);
        }
        if let Some(old_image) = image(change.and_then(|c| c.old_image.as_ref())) {
            object.insert("OldImage".into(), old_image);
        }
    }
    json!({
        "eventID": record.event_id(),
        "eventName": record.event_name().map(|n| n.as_str().to_owned()),
        "eventVersion": record.event_version(),
        "eventSource": "aws:dynamodb",
        "awsRegion": record.aws_region(),
        "dynamodb": dynamodb,
        "eventSourceARN": stream_arn,
    })
}
