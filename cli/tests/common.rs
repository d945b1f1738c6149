//! Helpers for the runner's tests: the binary, fixture servers, children stopped by PID.
#![allow(dead_code)]

use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_cors-harness");

/// A child process killed (by its own handle) when dropped.
pub struct Running(pub Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Waits for a listener on `port`; `serve` may first build the wasm package (minutes in a fresh clone).
pub fn wait_for_port(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(600);
    while Instant::now() < deadline {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("nothing listens on {port} after 600 s");
}

/// Waits for `child` to listen on `port`, failing at once if it exits first.
pub fn wait_for_child_port(child: &mut Running, port: u16) {
    let deadline = Instant::now() + Duration::from_secs(600);
    while Instant::now() < deadline {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        if let Ok(Some(status)) = child.0.try_wait() {
            panic!("the process meant to listen on {port} exited ({status})");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("nothing listens on {port} after 600 s");
}

/// `cors-harness fixtures` on `base..base+4`, allowing `page_origin`.
pub fn fixtures(base: u16, page_origin: &str) -> Running {
    let child = Command::new(BIN)
        .args(["fixtures", "--base-port", &base.to_string(), "--page-origin", page_origin])
        .stdout(Stdio::null())
        .spawn()
        .expect("the fixtures start");
    let running = Running(child);
    wait_for_port(base);
    running
}

/// Runs the binary to completion.
pub fn cors_harness(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().expect("the binary runs")
}

pub fn text(output: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").expect("a free port").local_addr().expect("an address").port()
}

/// A temporary file holding `contents`, removed with the directory when dropped.
pub struct TempDir(pub std::path::PathBuf);

impl TempDir {
    pub fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("cors-harness-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a temp dir");
        TempDir(dir)
    }
    pub fn file(&self, name: &str, contents: &str) -> String {
        let path = self.0.join(name);
        std::fs::write(&path, contents).expect("written");
        path.display().to_string()
    }
    pub fn path(&self, name: &str) -> String {
        self.0.join(name).display().to_string()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The body of a plain `GET http://127.0.0.1:{port}{path}` (the fixtures' own `/__log`).
#[allow(dead_code)]
pub fn http_get(port: u16, path: &str) -> String {
    use std::io::{Read, Write};
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("the fixtures listen");
    write!(stream, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n")
        .expect("a request");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("a response");
    response.split_once("\r\n\r\n").map(|(_, body)| body.to_owned()).unwrap_or_default()
}
