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

/// One WebSocket function from its name, its route module and its deployment.
macro_rules! ws_function {
    ($name:literal, $module:ident, $deploy:expr) => {
        WsFunction {
            name: $name,
            module: concat!("routes::ws::", stringify!($module)),
            handler: |a, e| Box::pin($module::handle(a, e)),
            deploy: $deploy,
        }
    };
}

pub const WS_FUNCTIONS: &[WsFunction] = &[
    ws_function!(
        "ws-connect",
        connect,
        Deploy {
            grants: &[Grant::SigningKeys, Grant::Table(&["dynamodb:GetItem", "dynamodb:PutItem"])],
            ..Deploy::new("WebSocket $connect: authenticates the token, records the connection.", Trigger::WebSocket)
        }
    ),
    ws_function!(
        "ws-disconnect",
        disconnect,
        Deploy {
            grants: &[Grant::Table(&["dynamodb:DeleteItem"])],
            ..Deploy::new("WebSocket $disconnect: forgets the connection.", Trigger::WebSocket)
        }
    ),
    ws_function!(
        "ws-send-message",
        send_message,
        Deploy {
            grants: &[
                Grant::Table(&["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"]),
                Grant::Indexes(&["gsi1"], &["dynamodb:Query"]),
                Grant::ManageConnections(&["POST"]),
            ],
            ..Deploy::new("WebSocket sendMessage.", Trigger::WebSocket)
        }
    ),
    ws_function!(
        "ws-typing",
        typing,
        Deploy {
            grants: &[
                Grant::Table(&["dynamodb:GetItem", "dynamodb:DeleteItem"]),
                Grant::Indexes(&["gsi1"], &["dynamodb:Query"]),
                Grant::ManageConnections(&["POST"]),
            ],
            ..Deploy::new("WebSocket typing indicator relay.", Trigger::WebSocket)
        }
    ),
    ws_function!(
        "ws-read",
        read,
        Deploy {
            grants: &[
                Grant::Table(&["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem"]),
                Grant::Indexes(&["gsi1"], &["dynamodb:Query"]),
                Grant::ManageConnections(&["POST"]),
            ],
            ..Deploy::new("WebSocket read receipt.", Trigger::WebSocket)
        }
    ),
    ws_function!(
        "ws-ping",
        ping,
        Deploy {
            grants: &[Grant::Table(&["dynamodb:DeleteItem"]), Grant::ManageConnections(&["POST"])],
            ..Deploy::new("WebSocket ping.", Trigger::WebSocket)
        }
    ),
    ws_function!(
        "ws-default",
        default,
        Deploy {
            grants: &[Grant::Table(&["dynamodb:DeleteItem"]), Grant::ManageConnections(&["POST"])],
            ..Deploy::new("WebSocket unknown action: a clear error.", Trigger::WebSocket)
        }
    ),
];

pub fn ws_function(name: &str) -> Option<&'static WsFunction> {
    WS_FUNCTIONS.iter().find(|f| f.name == name)
}
