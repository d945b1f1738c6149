//! Firefox's console over WebDriver BiDi: `log.entryAdded` carries the "Cross-Origin
//! Request Blocked" messages, the only place Firefox says why it blocked a request.
//! (Its BiDi network events do not say it.)

use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{bail, Context};
use cors_harness::firefox_console::ConsoleLog;
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;

/// Collects console messages until dropped.
pub struct ConsoleListener {
    log: Arc<Mutex<ConsoleLog>>,
    task: JoinHandle<()>,
}

impl ConsoleListener {
    /// Connects to the session's BiDi `web_socket_url` and subscribes to `log.entryAdded`.
    pub async fn connect(web_socket_url: &str) -> anyhow::Result<Self> {
        let (mut socket, _) = tokio::time::timeout(
            Duration::from_secs(10),
            tokio_tungstenite::connect_async(web_socket_url),
        )
        .await
        .context("the BiDi connection timed out")?
        .with_context(|| format!("cannot connect to WebDriver BiDi at {web_socket_url}"))?;
        let subscribe = json!({ "id": 1, "method": "session.subscribe", "params": { "events": ["log.entryAdded"] } });
        socket.send(Message::Text(subscribe.to_string().into())).await?;
        // Wait for the subscription's answer so no message of the run is missed.
        loop {
            let next = tokio::time::timeout(Duration::from_secs(10), socket.next())
                .await
                .context("no answer to session.subscribe")?;
            let Some(Ok(Message::Text(text))) = next else {
                bail!("the BiDi connection closed before subscribing");
            };
            let answer: Value = serde_json::from_str(&text).unwrap_or_default();
            if answer["id"] == 1 {
                if answer["type"] == "error" {
                    bail!("session.subscribe failed: {}", answer["message"]);
                }
                break;
            }
        }
        let log = Arc::new(Mutex::new(ConsoleLog::default()));
        let sink = log.clone();
        let task = tokio::spawn(async move {
            while let Some(Ok(message)) = socket.next().await {
                let Message::Text(text) = message else { continue };
                let event: Value = serde_json::from_str(&text).unwrap_or_default();
                if event["method"] == "log.entryAdded" {
                    if let Some(text) = event["params"]["text"].as_str() {
                        sink.lock().unwrap_or_else(|e| e.into_inner()).add(text);
                    }
                }
            }
        });
        Ok(ConsoleListener { log, task })
    }

    /// The messages so far.
    pub fn log(&self) -> ConsoleLog {
        self.log.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

impl Drop for ConsoleListener {
    fn drop(&mut self) {
        self.task.abort();
    }
}
