//! A hand-written HTTP/1.1 client, for the bytes `http::Uri` and `http::HeaderValue`
//! refuse to build: requests are written on the socket exactly as given.

use std::net::SocketAddr;
use std::time::Duration;

use crate::refusal::Refusal;

/// What came back on a raw connection.
#[derive(Debug)]
pub struct RawReply {
    /// The status code, `None` when the server closed without answering.
    pub status: Option<u16>,
    /// The header lines, in the order they came, names as sent.
    pub headers: Vec<(String, Vec<u8>)>,
    /// Whatever followed the head.
    pub body: Vec<u8>,
}

impl RawReply {
    /// The first header named `name` (any case), as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| std::str::from_utf8(v).expect("ASCII header"))
    }

    /// A refusal by the layer: the status and exactly the challenge of `expected`.
    #[track_caller]
    pub fn refused(&self, expected: &Refusal) {
        assert_eq!(self.status, Some(expected.status), "{self:?}");
        assert_eq!(
            self.header("www-authenticate"),
            Some(expected.challenge.as_str()),
            "{self:?}"
        );
    }

    /// A refusal by hyper before any service ran: `status`, no challenge.
    #[track_caller]
    pub fn rejected_by_hyper(&self, status: u16) {
        assert_eq!(self.status, Some(status), "{self:?}");
        assert_eq!(self.header("www-authenticate"), None, "{self:?}");
    }
}

/// Writes `bytes` as they are on a new connection to `addr`, reads until the server
/// closes it (or 5 s pass) and parses the first response.
pub async fn raw_http(addr: SocketAddr, bytes: &[u8]) -> RawReply {
    let bytes = bytes.to_vec();
    // A blocking socket on a blocking thread: the bytes go out exactly as given.
    let buf = tokio::task::spawn_blocking(move || {
        use std::io::{Read, Write};
        let mut stream = std::net::TcpStream::connect(addr).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .expect("timeout");
        // The server may answer (and close) before reading everything.
        let _ = stream.write_all(&bytes);
        let mut buf = Vec::new();
        let mut chunk = [0u8; 8192];
        loop {
            match stream.read(&mut chunk) {
                Ok(0) | Err(_) => break,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
        buf
    })
    .await
    .expect("raw client");
    parse_response(&buf)
}

fn parse_response(buf: &[u8]) -> RawReply {
    let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
        return RawReply {
            status: None,
            headers: Vec::new(),
            body: buf.to_vec(),
        };
    };
    let head = &buf[..end];
    let mut lines = head
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l));
    let status_line = String::from_utf8_lossy(lines.next().unwrap_or_default()).into_owned();
    let status = status_line.split(' ').nth(1).and_then(|s| s.parse().ok());
    let headers = lines
        .filter_map(|l| {
            let colon = l.iter().position(|&b| b == b':')?;
            let name = String::from_utf8_lossy(&l[..colon]).into_owned();
            let value = l[colon + 1..].trim_ascii().to_vec();
            Some((name, value))
        })
        .collect();
    RawReply {
        status,
        headers,
        body: buf[end + 4..].to_vec(),
    }
}

/// `METHOD target HTTP/1.1` with `Host`, `Connection: close` and the extra header lines
/// (each given whole, without CRLF), no body.
pub fn raw_request(method: &[u8], target: &[u8], headers: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(method);
    out.push(b' ');
    out.extend_from_slice(target);
    out.extend_from_slice(b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
    for h in headers {
        out.extend_from_slice(h);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"\r\n");
    out
}

/// `Authorization: Bearer <token>` as one raw header line.
pub fn auth_line(token: &str) -> Vec<u8> {
    format!("Authorization: Bearer {token}").into_bytes()
}
