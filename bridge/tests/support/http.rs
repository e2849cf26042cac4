//! A minimal HTTP/1.1 client written by hand over TCP (or any stream), so the tests see
//! exactly the status, headers and body the bridge sends: one request per connection
//! (`Connection: close`), the answer read to its end. Not here: the websocket upgrade (`ws`).

use std::collections::BTreeMap;
use std::net::SocketAddr;

use serde_json::Value;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;

use super::WAIT;

/// An HTTP answer.
#[derive(Debug)]
pub struct Answer {
    /// The status code.
    pub status: u16,
    /// The headers, names lower-cased.
    pub headers: BTreeMap<String, String>,
    /// The body (de-chunked when it came chunked).
    pub body: String,
}

impl Answer {
    /// The body as JSON; panics naming the body when it is not.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }

    /// The header `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }
}

/// `method target` with the extra `headers` and, when given, a JSON `body`; the answer (read
/// within [`WAIT`]).
pub async fn request(
    addr: SocketAddr,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> Answer {
    let mut text = format!("{method} {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    if body.is_some() {
        text.push_str("Content-Type: application/json\r\n");
    }
    let body = body.unwrap_or("");
    text.push_str(&format!("Content-Length: {}\r\n", body.len()));
    for (k, v) in headers {
        text.push_str(&format!("{k}: {v}\r\n"));
    }
    text.push_str("\r\n");
    text.push_str(body);
    let stream = TcpStream::connect(addr).await.unwrap();
    let raw = round_trip(stream, &text).await.unwrap();
    parse_answer(&String::from_utf8(raw).unwrap())
}

/// `GET target` with the extra `headers`.
pub async fn get(addr: SocketAddr, target: &str, headers: &[(&str, &str)]) -> Answer {
    request(addr, "GET", target, headers, None).await
}

/// Writes `request` on `stream` and reads until the peer closes (within [`WAIT`]): the raw
/// answer.
pub async fn round_trip<S: AsyncRead + AsyncWrite + Unpin>(
    mut stream: S,
    request: &str,
) -> std::io::Result<Vec<u8>> {
    stream.write_all(request.as_bytes()).await?;
    let mut answer = Vec::new();
    tokio::time::timeout(WAIT, stream.read_to_end(&mut answer))
        .await
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "answer"))??;
    Ok(answer)
}

/// One whole answer: head, blank line, body.
pub fn parse_answer(text: &str) -> Answer {
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    let (status, headers) = parse_head(head);
    let body = if headers
        .get("transfer-encoding")
        .is_some_and(|t| t == "chunked")
    {
        dechunk(body)
    } else {
        body.to_owned()
    };
    Answer {
        status,
        headers,
        body,
    }
}

/// The status line and headers of an answer (without the blank line): the status and the
/// headers, names lower-cased.
pub fn parse_head(head: &str) -> (u16, BTreeMap<String, String>) {
    let mut lines = head.lines();
    let status = lines
        .next()
        .unwrap()
        .split_whitespace()
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    (status, headers)
}

/// A chunked body (RFC 9112 §7.1) joined.
fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = s.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap();
        if n == 0 {
            break;
        }
        out.push_str(&rest[..n]);
        s = &rest[n + 2..];
    }
    out
}
