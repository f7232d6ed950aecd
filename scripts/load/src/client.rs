//! The loopback HTTP/1.1 client of both load generators: the loopback-only and bounds
//! checks of their arguments, one keep-alive connection, one bounded exchange, and the
//! latency percentiles they print.

use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::Request;
use hyper::body::Body;
use hyper::client::conn::http1::{self, SendRequest};
use hyper_util::rt::TokioIo;

/// How long one request may take before it counts as a timeout.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// `addr`, parsed, if it is a loopback address: load is never sent anywhere else.
pub fn loopback_addr(text: &str) -> Result<SocketAddr, String> {
    let addr = text.parse::<SocketAddr>().map_err(|e| e.to_string())?;
    if !addr.ip().is_loopback() {
        return Err(format!(
            "{addr} is not a loopback address: refusing to send load"
        ));
    }
    Ok(addr)
}

/// The run's bounds: 1 to 600 seconds, 1 to 1,024 connections.
pub fn check_bounds(seconds: u64, connections: usize) -> Result<(Duration, usize), String> {
    if seconds == 0 || seconds > 600 {
        return Err("--duration must be 1..=600 seconds".into());
    }
    if connections == 0 || connections > 1024 {
        return Err("--connections must be 1..=1024".into());
    }
    Ok((Duration::from_secs(seconds), connections))
}

/// One new keep-alive HTTP/1.1 connection to `addr` (`TCP_NODELAY`), its connection
/// future spawned on the runtime.
pub async fn connect<B>(addr: SocketAddr) -> Result<SendRequest<B>, String>
where
    B: Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let stream = tokio::net::TcpStream::connect(addr)
        .await
        .map_err(|e| e.to_string())?;
    let _ = stream.set_nodelay(true);
    let (sender, conn) = http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| e.to_string())?;
    tokio::spawn(conn);
    Ok(sender)
}

/// Why an exchange gave no answer. After either, the connection is dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// The connection failed (not ready, or the request or the body failed).
    Request,
    /// No full answer within [`REQUEST_TIMEOUT`].
    Timeout,
}

/// Sends `req` on `sender` and reads the whole answer: its status and body.
pub async fn exchange<B>(
    sender: &mut SendRequest<B>,
    req: Request<B>,
) -> Result<(u16, Bytes), Failure>
where
    B: Body + Send + 'static,
{
    if sender.ready().await.is_err() {
        return Err(Failure::Request);
    }
    let result = tokio::time::timeout(REQUEST_TIMEOUT, async {
        let resp = sender.send_request(req).await?;
        let status = resp.status().as_u16();
        let body = resp.into_body().collect().await?.to_bytes();
        Ok::<_, hyper::Error>((status, body))
    })
    .await;
    match result {
        Ok(Ok(answer)) => Ok(answer),
        Ok(Err(_)) => Err(Failure::Request),
        Err(_) => Err(Failure::Timeout),
    }
}

/// The `p` quantile (0 to 1) of `sorted` latencies in microseconds, in milliseconds.
pub fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    f64::from(sorted[i]) / 1000.0
}

/// Microseconds, saturated to `u32`.
pub fn micros(elapsed: Duration) -> u32 {
    elapsed.as_micros().min(u128::from(u32::MAX)) as u32
}
