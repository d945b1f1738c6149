//! A forward proxy on loopback that gives Firefox and WebKit the run's name map (they
//! cannot remap a port themselves): `CONNECT host:port` becomes a tunnel to where the map
//! leads, and a plain `GET http://host:port/...` is forwarded there. Bytes of tunnels are
//! untouched (TLS is end to end); plain requests keep their header spelling and order.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use axum::body::Body;
use hyper::body::Incoming;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

use crate::names::NameMap;

/// A running proxy; [`ForwardProxy::stop`] ends it.
pub struct ForwardProxy {
    pub addr: SocketAddr,
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl ForwardProxy {
    pub async fn start(names: NameMap) -> anyhow::Result<ForwardProxy> {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .context("cannot listen for the name-mapping proxy")?;
        let addr = listener.local_addr()?;
        let names = Arc::new(names);
        let (stop, mut stopped) = watch::channel(false);
        let task = tokio::spawn(async move {
            loop {
                let accepted = tokio::select! {
                    accepted = listener.accept() => accepted,
                    _ = stopped.wait_for(|s| *s) => break,
                };
                let Ok((stream, _)) = accepted else { continue };
                let names = names.clone();
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |request| {
                        let names = names.clone();
                        async move { handle(request, &names).await }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .preserve_header_case(true)
                        .title_case_headers(false)
                        .serve_connection(TokioIo::new(stream), service)
                        .with_upgrades()
                        .await;
                });
            }
        });
        Ok(ForwardProxy { addr, stop, task })
    }

    /// `http://127.0.0.1:PORT`, for `http_proxy` and Firefox's proxy settings.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

fn answer(status: StatusCode, text: String) -> Response<Body> {
    let mut response = Response::new(Body::from(text));
    *response.status_mut() = status;
    response
}

async fn connect(names: &NameMap, host: &str, port: u16) -> Result<TcpStream, String> {
    let addrs =
        names.lookup(host, port).await.map_err(|e| format!("cannot resolve {host}: {e}"))?;
    TcpStream::connect(addrs.as_slice())
        .await
        .map_err(|e| format!("cannot connect to {host}:{port}: {e}"))
}

/// A server that cannot be reached closes the browser's connection without an answer, as
/// the server itself would have: a proxy's own error page would read as the server's.
async fn handle(request: Request<Incoming>, names: &NameMap) -> Result<Response<Body>, String> {
    if request.method() == Method::CONNECT {
        return tunnel(request, names).await;
    }
    let uri = request.uri().clone();
    let (Some(host), Some(scheme)) = (uri.host(), uri.scheme_str()) else {
        return Ok(answer(StatusCode::BAD_REQUEST, "a proxy request needs an absolute URL".into()));
    };
    if scheme != "http" {
        return Ok(answer(StatusCode::BAD_REQUEST, format!("{scheme} goes through CONNECT")));
    }
    let port = uri.port_u16().unwrap_or(80);
    let stream = connect(names, host, port).await?;
    let (mut sender, connection) = hyper::client::conn::http1::Builder::new()
        .preserve_header_case(true)
        .handshake(TokioIo::new(stream))
        .await
        .map_err(|e| e.to_string())?;
    tokio::spawn(connection);
    // The origin server gets the origin form (`/path?query`), as without a proxy.
    let (mut parts, body) = request.into_parts();
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    parts.uri = match path.parse() {
        Ok(uri) => uri,
        Err(_) => return Ok(answer(StatusCode::BAD_REQUEST, "bad path".into())),
    };
    parts.headers.remove("proxy-connection");
    // A server that closes without answering closes the browser's connection too.
    let response =
        sender.send_request(Request::from_parts(parts, body)).await.map_err(|e| e.to_string())?;
    Ok(response.map(Body::new))
}

async fn tunnel(request: Request<Incoming>, names: &NameMap) -> Result<Response<Body>, String> {
    let Some(authority) = request.uri().authority().cloned() else {
        return Ok(answer(StatusCode::BAD_REQUEST, "CONNECT needs host:port".into()));
    };
    let port = authority.port_u16().unwrap_or(443);
    let mut upstream = connect(names, authority.host(), port).await?;
    tokio::spawn(async move {
        if let Ok(upgraded) = hyper::upgrade::on(request).await {
            let mut client = TokioIo::new(upgraded);
            let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
        }
    });
    Ok(Response::new(Body::empty()))
}
