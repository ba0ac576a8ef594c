//! The WebSocket API's routes, one Lambda each; `template.yaml` binds route keys to them.

pub mod connect;
pub mod default;
pub mod disconnect;
pub mod ping;
pub mod read;
pub mod send_message;
pub mod typing;

use crate::edge::ws::WsFunction;

pub const WS_FUNCTIONS: &[WsFunction] = &[
    WsFunction { name: "ws-connect", handler: |a, e| Box::pin(connect::handle(a, e)) },
    WsFunction { name: "ws-disconnect", handler: |a, e| Box::pin(disconnect::handle(a, e)) },
    WsFunction { name: "ws-send-message", handler: |a, e| Box::pin(send_message::handle(a, e)) },
    WsFunction { name: "ws-typing", handler: |a, e| Box::pin(typing::handle(a, e)) },
    WsFunction { name: "ws-read", handler: |a, e| Box::pin(read::handle(a, e)) },
    WsFunction { name: "ws-ping", handler: |a, e| Box::pin(ping::handle(a, e)) },
    WsFunction { name: "ws-default", handler: |a, e| Box::pin(default::handle(a, e)) },
];

pub fn ws_function(name: &str) -> Option<&'static WsFunction> {
    WS_FUNCTIONS.iter().find(|f| f.name == name)
}
