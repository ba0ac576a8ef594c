//! The panic hook of a deployed function answers the invocation in flight through the
//! Runtime API (here a stand-in on 127.0.0.1), once, and only while one is in flight. One
//! test in its own binary: the hook is process-wide.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::mpsc;
use std::time::Duration;

use serde_json::Value;
use tandem_api::edge::panic::{self, Answer};

/// What the stand-in received: the request line, the header lines, the JSON body.
struct Posted {
    request_line: String,
    headers: Vec<String>,
    body: Value,
}

fn runtime_api() -> (String, mpsc::Receiver<Posted>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap().to_string();
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let mut stream = stream.unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request_line = String::new();
            reader.read_line(&mut request_line).unwrap();
            let mut headers = Vec::new();
            loop {
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                if line.trim().is_empty() {
                    break;
                }
                headers.push(line.trim().to_owned());
            }
            let length: usize = headers
                .iter()
                .find_map(|header| header.to_ascii_lowercase().strip_prefix("content-length: ").map(str::to_owned))
                .unwrap()
                .parse()
                .unwrap();
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            stream.write_all(b"HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n").unwrap();
            let posted = Posted {
                request_line: request_line.trim().to_owned(),
                headers,
                body: serde_json::from_slice(&body).unwrap(),
            };
            sender.send(posted).unwrap();
        }
    });
    (address, receiver)
}

fn panic_now(message: &str) {
    let message = message.to_owned();
    assert!(std::panic::catch_unwind(move || panic!("{message}")).is_err());
}

#[test]
fn a_panic_answers_the_invocation_in_flight_once() {
    let (address, posted) = runtime_api();
    panic::install("panic-test", address);
    let next = || posted.recv_timeout(Duration::from_secs(5)).expect("the hook posted nothing");
    let nothing_more = || assert!(posted.recv_timeout(Duration::from_millis(300)).is_err(), "posted twice");

    // An HTTP route: a 500 with the error shape, without the panic's message.
    let guard = panic::in_flight("invocation-1", Answer::Http { request_id: "request-1".into() });
    panic_now("secret detail");
    let http = next();
    assert_eq!(http.request_line, "POST /2018-06-01/runtime/invocation/invocation-1/response HTTP/1.1");
    assert_eq!(http.body["statusCode"], 500);
    assert_eq!(http.body["headers"]["content-type"], "application/json");
    assert_eq!(http.body["headers"]["x-request-id"], "request-1");
    let error: Value = serde_json::from_str(http.body["body"].as_str().unwrap()).unwrap();
    assert_eq!(error["error"]["code"], "internal_error");
    assert_eq!(error["error"]["requestId"], "request-1");
    assert!(!http.body.to_string().contains("secret detail"));
    // Answered once: a second panic in the same invocation posts nothing more.
    panic_now("again");
    nothing_more();
    drop(guard);

    // A WebSocket route: a 500 whose body is the error document.
    let guard = panic::in_flight("invocation-2", Answer::WebSocket { request_id: "request-2".into() });
    panic_now("boom");
    let ws = next();
    assert_eq!(ws.request_line, "POST /2018-06-01/runtime/invocation/invocation-2/response HTTP/1.1");
    assert_eq!(ws.body["statusCode"], 500);
    let error: Value = serde_json::from_str(ws.body["body"].as_str().unwrap()).unwrap();
    assert_eq!(error["error"]["requestId"], "request-2");
    drop(guard);

    // A job or worker: a failed invocation.
    let guard = panic::in_flight("invocation-3", Answer::Failure);
    panic_now("boom");
    let failure = next();
    assert_eq!(failure.request_line, "POST /2018-06-01/runtime/invocation/invocation-3/error HTTP/1.1");
    assert!(failure.headers.iter().any(|header| header == "Lambda-Runtime-Function-Error-Type: Unhandled"));
    assert_eq!(failure.body["errorType"], "internal_error");
    drop(guard);

    // Between invocations there is nothing to answer.
    drop(panic::in_flight("invocation-4", Answer::Failure));
    panic_now("after the invocation");
    nothing_more();
}
