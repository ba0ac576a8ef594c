//! The WebSocket API's routes, one Lambda each; `template.yaml` binds route keys to them.

pub mod connect;
pub mod default;
pub mod disconnect;
pub mod ping;
pub mod read;
pub mod send_message;
pub mod typing;

use crate::deploy::{Deploy, Grant, Trigger};
use crate::edge::ws::WsFunction;

pub const WS_FUNCTIONS: &[WsFunction] = &[
    WsFunction {
        name: "ws-connect",
        deploy: Deploy {
            description: "WebSocket $connect: authenticates the token, records the connection.",
            trigger: Trigger::WebSocket,
            grants: &[Grant::SigningKeys, Grant::Table(&["dynamodb:GetItem", "dynamodb:PutItem"])],
            memory_mb: None,
            timeout_seconds: None,
            environment: &[],
        },
        handler: |a, e| Box::pin(connect::handle(a, e)),
    },
    WsFunction {
        name: "ws-disconnect",
        deploy: Deploy {
            description: "WebSocket $disconnect: forgets the connection.",
            trigger: Trigger::WebSocket,
            grants: &[Grant::Table(&["dynamodb:DeleteItem"])],
            memory_mb: None,
            timeout_seconds: None,
            environment: &[],
        },
        handler: |a, e| Box::pin(disconnect::handle(a, e)),
    },
    WsFunction {
        name: "ws-send-message",
        deploy: Deploy {
            description: "WebSocket sendMessage.",
            trigger: Trigger::WebSocket,
            grants: &[
                Grant::Table(&["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"]),
                Grant::Indexes(&["gsi1"], &["dynamodb:Query"]),
                Grant::ManageConnections(&["POST"]),
            ],
            memory_mb: None,
            timeout_seconds: None,
            environment: &[],
        },
        handler: |a, e| Box::pin(send_message::handle(a, e)),
    },
    WsFunction {
        name: "ws-typing",
        deploy: Deploy {
            description: "WebSocket typing indicator relay.",
            trigger: Trigger::WebSocket,
            grants: &[
                Grant::Table(&["dynamodb:GetItem", "dynamodb:DeleteItem"]),
                Grant::Indexes(&["gsi1"], &["dynamodb:Query"]),
                Grant::ManageConnections(&["POST"]),
            ],
            memory_mb: None,
            timeout_seconds: None,
            environment: &[],
        },
        handler: |a, e| Box::pin(typing::handle(a, e)),
    },
    WsFunction {
        name: "ws-read",
        deploy: Deploy {
            description: "WebSocket read receipt.",
            trigger: Trigger::WebSocket,
            grants: &[
                Grant::Table(&["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem"]),
                Grant::Indexes(&["gsi1"], &["dynamodb:Query"]),
                Grant::ManageConnections(&["POST"]),
            ],
            memory_mb: None,
            timeout_seconds: None,
            environment: &[],
        },
        handler: |a, e| Box::pin(read::handle(a, e)),
    },
    WsFunction {
        name: "ws-ping",
        deploy: Deploy {
            description: "WebSocket ping.",
            trigger: Trigger::WebSocket,
            grants: &[Grant::Table(&["dynamodb:DeleteItem"]), Grant::ManageConnections(&["POST"])],
            memory_mb: None,
            timeout_seconds: None,
            environment: &[],
        },
        handler: |a, e| Box::pin(ping::handle(a, e)),
    },
    WsFunction {
        name: "ws-default",
        deploy: Deploy {
            description: "WebSocket unknown action: a clear error.",
            trigger: Trigger::WebSocket,
            grants: &[Grant::Table(&["dynamodb:DeleteItem"]), Grant::ManageConnections(&["POST"])],
            memory_mb: None,
            timeout_seconds: None,
            environment: &[],
        },
        handler: |a, e| Box::pin(default::handle(a, e)),
    },
];

pub fn ws_function(name: &str) -> Option<&'static WsFunction> {
    WS_FUNCTIONS.iter().find(|f| f.name == name)
}
