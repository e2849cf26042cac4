//! The IO side of a host connection: the negotiation loop (until 3270 mode, START-TLS
//! included) and the connection task (socket ⇄ [`ClientConnection`] ⇄ channels, keepalive).
//!
//! Owns: moving bytes and events with bounded buffers (see the module doc of
//! [`crate::upstream`]). Does not own: the protocol (the `tn3270` crate) or the API types.

use std::collections::VecDeque;
use std::time::Duration;

use tn3270::tn3270e::{ClientConnection, DataType, Event, Header, Response};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

use super::stream::Stream;
use super::{
    CloseReason, Keepalive, KeepaliveKind, Negotiated, UpstreamError, UpstreamEvent,
    UpstreamOptions, CLOSE_TIMEOUT, NVT_SNIPPET_MAX, READ_CHUNK,
};
use crate::tls::{TlsClient, TlsError};

/// A send requested through [`super::UpstreamSender`].
#[derive(Debug)]
pub(crate) struct Command {
    pub(crate) op: Op,
    pub(crate) reply: oneshot::Sender<Result<Option<Header>, UpstreamError>>,
}

/// What to send.
#[derive(Debug)]
pub(crate) enum Op {
    Record(DataType, Vec<u8>),
    RecordWithHeader(Header, Vec<u8>),
    Response(u16, Response),
    Nvt(Vec<u8>),
    Attn,
    SysReq,
    Close,
}

/// What the negotiation had seen when its deadline passed.
#[derive(Debug, Default)]
pub(crate) struct Progress {
    /// The start of the host's NVT text, for `UPSTREAM_STAYED_NVT`.
    pub(crate) nvt_text: String,
    /// A START-TLS handshake was running (then the timeout is `TLS_TIMEOUT`).
    pub(crate) in_tls_handshake: bool,
}

/// Runs the telnet negotiation until 3270 mode. The caller bounds it with the negotiation
/// timeout and reads `progress` when it passes.
pub(crate) async fn negotiate(
    stream: &mut Stream,
    conn: &mut ClientConnection,
    start_tls: Option<&TlsClient>,
    options: &UpstreamOptions,
    progress: &mut Progress,
) -> Result<Negotiated, UpstreamError> {
    let mut negotiated = Negotiated::default();
    let mut buf = vec![0u8; READ_CHUNK];
    let mut in_3270 = false;
    loop {
        write_output(stream, conn)
            .await
            .map_err(|e| read_error(stream, start_tls, &e))?;
        if in_3270 {
            if start_tls.is_some() && !stream.is_tls() {
                return Err(UpstreamError::StartTlsNotOffered);
            }
            return Ok(negotiated);
        }
        let n = match stream.read(&mut buf).await {
            Ok(0) => {
                return Err(UpstreamError::ClosedDuringNegotiation { mode: conn.mode() });
            }
            Ok(n) => n,
            Err(e) => return Err(read_error(stream, start_tls, &e)),
        };
        crate::metrics::bytes(crate::metrics::Direction::FromHost, n as u64);
        let chunk = buf.get(..n).unwrap_or_default();
        let consumed = conn.feed(chunk);
        let mut tls_now = false;
        while let Some(event) = conn.poll_event() {
            match event {
                Event::StartTls => tls_now = true,
                Event::ModeChanged(mode) if !in_3270 => in_3270 = mode.is_3270(),
                Event::NvtData(text) if !in_3270 => keep_snippet(&mut progress.nvt_text, &text),
                Event::DeviceRejected(reason) => {
                    tracing::info!(?reason, "upstream: host rejected our DEVICE-TYPE REQUEST");
                    negotiated.device_rejected = Some(reason);
                }
                event if in_3270 => negotiated.events.extend(translate(event)),
                event => tracing::debug!(?event, "upstream: negotiation event"),
            }
        }
        if tls_now {
            let Some(tls) = start_tls else {
                return Err(UpstreamError::Tls(TlsError::Other(
                    "START-TLS without a TLS configuration".into(),
                )));
            };
            write_output(stream, conn)
                .await
                .map_err(|e| read_error(stream, start_tls, &e))?;
            // The rest of the chunk (normally nothing: the host waits for our ClientHello)
            // belongs to the TLS layer. The outer deadline bounds the handshake.
            let leftover = chunk.get(consumed..).unwrap_or_default();
            // If the negotiation deadline falls during the handshake, the caller reports
            // TLS_TIMEOUT rather than "still negotiating".
            progress.in_tls_handshake = true;
            stream
                .upgrade(tls, leftover, options.negotiate_timeout)
                .await?;
            progress.in_tls_handshake = false;
            conn.tls_established();
            tracing::info!(server_name = tls.server_name(), "upstream: START-TLS done");
        }
    }
}

/// Appends NVT text to the snippet, up to [`NVT_SNIPPET_MAX`] characters.
fn keep_snippet(snippet: &mut String, text: &[u8]) {
    let room = NVT_SNIPPET_MAX.saturating_sub(snippet.chars().count());
    snippet.extend(
        String::from_utf8_lossy(text)
            .chars()
            .filter(|c| !c.is_control() || *c == '\n')
            .take(room),
    );
}

/// The error of a failed read or write: the TLS cause on a TLS stream, else IO.
fn read_error(stream: &Stream, tls: Option<&TlsClient>, e: &std::io::Error) -> UpstreamError {
    let name = tls.map(TlsClient::server_name).unwrap_or_default();
    match TlsError::from_io(e, name) {
        Some(t) => UpstreamError::Tls(t),
        None if stream.is_tls() && e.kind() == std::io::ErrorKind::ConnectionReset => {
            UpstreamError::Tls(TlsError::ConnectionReset)
        }
        None => UpstreamError::Io(e.to_string()),
    }
}

/// Writes the connection's pending output.
async fn write_output(stream: &mut Stream, conn: &mut ClientConnection) -> std::io::Result<()> {
    if conn.has_output() {
        let n = conn.pending_output().len();
        stream.write_all(conn.pending_output()).await?;
        crate::metrics::bytes(crate::metrics::Direction::ToHost, n as u64);
        conn.consume_output(n);
        stream.flush().await?;
    }
    Ok(())
}

/// The API event for a protocol event (`None`: handled here or not for the session).
fn translate(event: Event) -> Option<UpstreamEvent> {
    match event {
        Event::Record { header, data } => Some(UpstreamEvent::Record {
            data_type: header.map_or(DataType::Data3270, |h| h.data_type),
            header,
            data,
        }),
        Event::NvtData(data) => Some(UpstreamEvent::Record {
            data_type: DataType::NvtData,
            header: None,
            data,
        }),
        Event::ModeChanged(mode) => Some(UpstreamEvent::ModeChanged(mode)),
        Event::Bind(bind) => Some(UpstreamEvent::Bind(bind)),
        Event::Unbind { reason } => Some(UpstreamEvent::Unbind { reason }),
        Event::Response {
            seq,
            positive,
            code,
        } => Some(UpstreamEvent::Response {
            seq,
            positive,
            code,
        }),
        Event::Error(error) => {
            tracing::warn!(?error, "upstream: malformed input from the host dropped");
            None
        }
        other => {
            tracing::debug!(event = ?other, "upstream: event not relayed");
            None
        }
    }
}

/// The running connection.
pub(crate) struct Connection {
    pub(crate) stream: Stream,
    pub(crate) conn: ClientConnection,
    pub(crate) commands: mpsc::Receiver<Command>,
    pub(crate) events: mpsc::Sender<UpstreamEvent>,
    /// Events not yet in the channel: at most those of one read.
    pub(crate) pending: VecDeque<UpstreamEvent>,
    pub(crate) keepalive: Option<Keepalive>,
    pub(crate) write_timeout: Duration,
    pub(crate) target: String,
}

impl Connection {
    /// Runs until the host or we close; the last event is [`UpstreamEvent::Closed`].
    pub(crate) async fn run(mut self) {
        let reason = self.serve().await;
        tracing::info!(upstream = %self.target, reason = reason.code(), "upstream: closed");
        let _ = tokio::time::timeout(CLOSE_TIMEOUT, self.stream.shutdown()).await;
        self.commands.close();
        // Events the session has not taken yet are still delivered, then Closed; a
        // session that stopped reading is given up on after CLOSE_TIMEOUT.
        let deliver = async {
            for event in self.pending.drain(..) {
                if self.events.send(event).await.is_err() {
                    return;
                }
            }
            let _ = self.events.send(UpstreamEvent::Closed { reason }).await;
        };
        let _ = tokio::time::timeout(CLOSE_TIMEOUT, deliver).await;
    }

    async fn serve(&mut self) -> CloseReason {
        let mut buf = vec![0u8; READ_CHUNK];
        let mut last_keepalive = Instant::now();
        // When a TIMING-MARK went out without any byte from the host since.
        let mut unanswered: Option<Instant> = None;
        loop {
            if let Err(reason) = self.flush().await {
                return reason;
            }
            let wakeup = self.keepalive.map(|k| match unanswered {
                Some(sent) => sent + k.timeout,
                None => last_keepalive + k.interval,
            });
            let keepalive_due = async {
                match wakeup {
                    Some(at) => tokio::time::sleep_until(at).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                // An owned permit (a sender clone is an Arc increment) so that no borrow of
                // `self` outlives the select.
                permit = self.events.clone().reserve_owned(), if !self.pending.is_empty() => {
                    let Ok(permit) = permit else { return CloseReason::Local };
                    if let Some(event) = self.pending.pop_front() {
                        if is_record(&event) {
                            crate::metrics::records(crate::metrics::Direction::FromHost, 1);
                        }
                        permit.send(event);
                    }
                }
                () = self.events.closed(), if self.pending.is_empty() => return CloseReason::Local,
                command = self.commands.recv() => {
                    let Some(Command { op, reply }) = command else { return CloseReason::Local };
                    if matches!(op, Op::Close) {
                        let _ = reply.send(Ok(None));
                        let _ = self.flush().await;
                        return CloseReason::Local;
                    }
                    let _ = reply.send(self.apply(op));
                    // Local state changes (SYSREQ toggles LU-LU/SSCP-LU) become events too.
                    while let Some(event) = self.conn.poll_event() {
                        self.pending.extend(translate(event));
                    }
                }
                read = self.stream.read(&mut buf), if self.pending.is_empty() => {
                    let n = match read {
                        Ok(0) => return CloseReason::HostClosed,
                        Ok(n) => n,
                        Err(e) => return close_reason(&self.stream, &e),
                    };
                    unanswered = None;
                    crate::metrics::bytes(crate::metrics::Direction::FromHost, n as u64);
                    self.conn.feed(buf.get(..n).unwrap_or_default());
                    while let Some(event) = self.conn.poll_event() {
                        match event {
                            Event::TimingMark => {}
                            Event::StartTls => return CloseReason::UnexpectedStartTls,
                            event => self.pending.extend(translate(event)),
                        }
                    }
                }
                () = keepalive_due => {
                    let Some(k) = self.keepalive else { continue };
                    if unanswered.is_some() {
                        tracing::warn!(upstream = %self.target, "upstream: host does not answer keepalive");
                        return CloseReason::KeepaliveTimeout;
                    }
                    last_keepalive = Instant::now();
                    match k.kind {
                        KeepaliveKind::TimingMark => {
                            self.conn.send_timing_mark();
                            unanswered = Some(last_keepalive);
                        }
                        KeepaliveKind::Nop => self.conn.send_nop(),
                    }
                }
            }
        }
    }

    fn apply(&mut self, op: Op) -> Result<Option<Header>, UpstreamError> {
        if matches!(op, Op::Record(..) | Op::RecordWithHeader(..) | Op::Nvt(_)) {
            crate::metrics::records(crate::metrics::Direction::ToHost, 1);
        }
        let conn = &mut self.conn;
        match op {
            Op::Record(data_type, data) => Ok(conn.send_record(data_type, &data)?),
            Op::RecordWithHeader(header, data) => {
                Ok(Some(conn.send_record_with_header(header, &data)?))
            }
            Op::Response(seq, response) => Ok(conn.send_response(seq, response).map(|()| None)?),
            Op::Nvt(data) => Ok(conn.send_nvt(&data).map(|()| None)?),
            Op::Attn => Ok(conn.send_attn().map(|()| None)?),
            Op::SysReq => Ok(conn.send_sysreq().map(|()| None)?),
            Op::Close => Ok(None),
        }
    }

    /// Writes pending output within the write timeout.
    async fn flush(&mut self) -> Result<(), CloseReason> {
        match tokio::time::timeout(
            self.write_timeout,
            write_output(&mut self.stream, &mut self.conn),
        )
        .await
        {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(close_reason(&self.stream, &e)),
            Err(_) => Err(CloseReason::WriteTimeout),
        }
    }
}

/// Whether an event carries a record (of any data type) for the session.
fn is_record(event: &UpstreamEvent) -> bool {
    matches!(
        event,
        UpstreamEvent::Record { .. } | UpstreamEvent::Bind(_) | UpstreamEvent::Unbind { .. }
    )
}

fn close_reason(stream: &Stream, e: &std::io::Error) -> CloseReason {
    match read_error(stream, None, e) {
        UpstreamError::Tls(t) => CloseReason::Tls(t),
        _ => CloseReason::Io(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nvt_snippet_is_bounded_and_printable() {
        let mut snippet = String::new();
        keep_snippet(&mut snippet, b"login:\x07 \r\n");
        assert_eq!(snippet, "login: \n");
        keep_snippet(&mut snippet, &[b'x'; 500]);
        assert_eq!(snippet.chars().count(), NVT_SNIPPET_MAX);
        keep_snippet(&mut snippet, b"more");
        assert_eq!(snippet.chars().count(), NVT_SNIPPET_MAX);
    }

    #[test]
    fn records_keep_their_data_type_and_header() {
        let header = Header::new(DataType::SscpLuData, 4);
        assert_eq!(
            translate(Event::Record {
                header: Some(header),
                data: vec![0xc1]
            }),
            Some(UpstreamEvent::Record {
                data_type: DataType::SscpLuData,
                header: Some(header),
                data: vec![0xc1]
            })
        );
        // Plain TN3270: no header, 3270-DATA implied; NVT text outside TN3270E: NVT-DATA.
        assert_eq!(
            translate(Event::Record {
                header: None,
                data: vec![0xf5]
            }),
            Some(UpstreamEvent::Record {
                data_type: DataType::Data3270,
                header: None,
                data: vec![0xf5]
            })
        );
        assert_eq!(
            translate(Event::NvtData(b"hi".to_vec())),
            Some(UpstreamEvent::Record {
                data_type: DataType::NvtData,
                header: None,
                data: b"hi".to_vec()
            })
        );
        assert_eq!(translate(Event::TimingMark), None);
    }
}
