//! The lesson 0 hello page served by hyper on tokio, for bench/run.
//!
//! Same answer as `hello_server`: `200 OK`, `Content-type: text/plain;
//! charset=utf-8`, body `Hello, HTTP!\n`. Same start-up contract too: the
//! port comes from `PORT` (0 = any free port) and the first line on stdout
//! says where the server listens. Unlike the course's server it keeps no
//! request log, which is what hyper does unless you add one.

use std::convert::Infallible;
use std::io::Write;
use std::net::SocketAddr;

use bytes::Bytes;
use http_body_util::Full;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

async fn hello(
    _request: Request<hyper::body::Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    // hyper adds Content-Length (the body's size is known) and Date.
    let response = Response::builder()
        .header("Content-type", "text/plain; charset=utf-8")
        .body(Full::new(Bytes::from_static(b"Hello, HTTP!\n")))
        .expect("a static response is valid");
    Ok(response)
}

async fn serve(listener: TcpListener) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        // Same choice as the course's server: each response leaves in one
        // write, so Nagle's algorithm would only add delay.
        let _ = stream.set_nodelay(true);
        // One task per connection; tokio runs many tasks on few threads.
        tokio::spawn(async move {
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service_fn(hello))
                .await;
        });
    }
}

fn main() -> std::io::Result<()> {
    let port: u16 = std::env::var("PORT")
        .ok()
        .and_then(|text| text.trim().parse().ok())
        .unwrap_or(8000);
    // The usual `#[tokio::main]`, written out (no macros crate needed). Its
    // worker count follows the CPUs the process may use, so one when
    // bench/run pins the server to one core.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_io()
        .build()?;
    runtime.block_on(async {
        let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], port))).await?;
        let mut stdout = std::io::stdout();
        writeln!(
            stdout,
            "Serving HTTP on http://{}/ (Ctrl-C to stop)",
            listener.local_addr()?
        )?;
        stdout.flush()?;
        serve(listener).await;
        Ok(())
    })
}
