//! WebDriver BiDi over the session's `webSocketUrl`: one connection per session, for
//! commands (`storage.setCookie` presets the suite's cookies in Firefox) and events:
//! `log.entryAdded` carries Firefox's "Cross-Origin Request Blocked" messages, the only
//! place Firefox says why it blocked a request, and `network.beforeRequestSent` /
//! `network.responseCompleted` show the cookies a request carried and the `Set-Cookie`
//! lines of its response.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{bail, Context};
use cors_harness::firefox_console::ConsoleLog;
use futures_util::stream::SplitSink;
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Sink = SplitSink<WebSocketStream<MaybeTlsStream<TcpStream>>, Message>;
type Pending = Arc<Mutex<HashMap<u64, oneshot::Sender<Value>>>>;

/// A BiDi connection that answers commands and collects events until dropped.
pub struct Bidi {
    sink: tokio::sync::Mutex<Sink>,
    pending: Pending,
    next_id: AtomicU64,
    events: Arc<Mutex<Vec<Value>>>,
    task: JoinHandle<()>,
}

impl Bidi {
    /// Connects to the session's BiDi `web_socket_url`.
    pub async fn connect(web_socket_url: &str) -> anyhow::Result<Self> {
        let (socket, _) = tokio::time::timeout(
            Duration::from_secs(10),
            tokio_tungstenite::connect_async(web_socket_url),
        )
        .await
        .context("the BiDi connection timed out")?
        .with_context(|| format!("cannot connect to WebDriver BiDi at {web_socket_url}"))?;
        let (sink, mut stream) = socket.split();
        let pending: Pending = Arc::default();
        let events: Arc<Mutex<Vec<Value>>> = Arc::default();
        let (answers, collected) = (pending.clone(), events.clone());
        let task = tokio::spawn(async move {
            while let Some(Ok(message)) = stream.next().await {
                let Message::Text(text) = message else { continue };
                let message: Value = serde_json::from_str(&text).unwrap_or_default();
                if let Some(id) = message["id"].as_u64() {
                    let waiter = answers.lock().unwrap_or_else(|e| e.into_inner()).remove(&id);
                    if let Some(waiter) = waiter {
                        let _ = waiter.send(message);
                    }
                } else if message["type"] == "event" || message.get("method").is_some() {
                    collected.lock().unwrap_or_else(|e| e.into_inner()).push(message);
                }
            }
        });
        Ok(Bidi {
            sink: tokio::sync::Mutex::new(sink),
            pending,
            next_id: AtomicU64::new(1),
            events,
            task,
        })
    }

    /// Sends a command and waits for its result (an `error` answer is an error).
    pub async fn command(&self, method: &str, params: Value) -> anyhow::Result<Value> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = oneshot::channel();
        self.pending.lock().unwrap_or_else(|e| e.into_inner()).insert(id, tx);
        let message = json!({ "id": id, "method": method, "params": params });
        self.sink.lock().await.send(Message::Text(message.to_string().into())).await?;
        let answer = tokio::time::timeout(Duration::from_secs(10), rx)
            .await
            .with_context(|| format!("no answer to {method}"))?
            .with_context(|| format!("the BiDi connection closed before {method} answered"))?;
        if answer["type"] == "error" {
            bail!("{method} failed: {} ({})", answer["error"], answer["message"]);
        }
        Ok(answer["result"].clone())
    }

    /// Subscribes to `events` (answered before any of the run's events can be missed).
    pub async fn subscribe(&self, events: &[&str]) -> anyhow::Result<()> {
        self.command("session.subscribe", json!({ "events": events })).await.map(drop)
    }

    /// The events of any of `methods` so far, in the order they arrived.
    pub fn events_of(&self, methods: &[&str]) -> Vec<Value> {
        let events = self.events.lock().unwrap_or_else(|e| e.into_inner());
        events.iter().filter(|e| methods.iter().any(|m| e["method"] == *m)).cloned().collect()
    }

    /// Whether a response (a preflight's included) for `url` has arrived; the newest
    /// events are searched first, since the caller asks about a request just finished.
    pub fn saw_response_for(&self, url: &str) -> bool {
        let events = self.events.lock().unwrap_or_else(|e| e.into_inner());
        events.iter().rev().any(|e| {
            e["method"] == "network.responseStarted" && e["params"]["request"]["url"] == url
        })
    }

    /// Firefox's console messages so far.
    pub fn console_log(&self) -> ConsoleLog {
        let mut log = ConsoleLog::default();
        for event in self.events_of(&["log.entryAdded"]) {
            if let Some(text) = event["params"]["text"].as_str() {
                log.add(text);
            }
        }
        log
    }
}

impl Drop for Bidi {
    fn drop(&mut self) {
        self.task.abort();
    }
}
