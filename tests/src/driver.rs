//! [`Driver`]: our own terminal core (`tn3270::terminal::Terminal`) on a blocking loopback TCP
//! socket, driven the way an s3270 script drives s3270 — so a conformance test can run the same
//! session through both and compare what each showed and what the host received.
//!
//! The core is sans-IO; this module adds exactly the IO a test needs and nothing else: a
//! `std::net::TcpStream` with a short read timeout ([`POLL`]), a pump that feeds every byte read
//! to [`Terminal::feed`] and writes [`Terminal::take_output`] back at once, and waits bounded by
//! a deadline ([`Driver::wait_unlock`] mirrors s3270's `Wait(Unlock)`, plus a [`SETTLE`] time in
//! which no more bytes may arrive, so a host that sends two records in a row is fully drawn).
//! Every chunk written to the host is logged ([`Driver::sent_chunks`]); [`Driver::sent_records`]
//! splits that stream at IAC EOR the same way [`crate::trace::S3270Trace::records`] splits
//! s3270's, and [`crate::trace::telnet_commands`] lists its negotiation — so the bytes the host
//! received from us and from s3270 compare directly.
//!
//! Not done here: TLS (START-TLS is not answered: a [`TerminalEvent::StartTls`] is only logged),
//! any decoding of the data stream (that is the core under test), and reconnects.

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use tn3270::input::{Key, KeyOutcome};
use tn3270::screen::text::FieldInfo;
use tn3270::screen::LockReason;
use tn3270::terminal::{Snapshot, Terminal, TerminalConfig, TerminalEvent};

use crate::trace::telnet_records;
use crate::HarnessError;

/// How long one socket read waits before the pump looks at its deadline again.
pub const POLL: Duration = Duration::from_millis(10);

/// How long no byte may arrive after the keyboard unlocked before [`Driver::wait_unlock`]
/// returns (a host may follow a write that unlocks the keyboard with more records).
pub const SETTLE: Duration = Duration::from_millis(150);

/// How long [`Driver::connect`] waits for the TCP connection.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Most bytes one socket read takes.
const READ_CHUNK: usize = 16 * 1024;

/// A [`Terminal`] connected to a host over loopback TCP, with a log of what it sent.
#[derive(Debug)]
pub struct Driver {
    stream: TcpStream,
    terminal: Terminal,
    sent: Vec<Vec<u8>>,
    received: Vec<Vec<u8>>,
    events: Vec<TerminalEvent>,
    records: usize,
    closed: bool,
}

impl Driver {
    /// Connects to `addr` (e.g. `127.0.0.1:3270`) and starts a terminal with `config`. Nothing
    /// is read yet: call [`Driver::wait_unlock`] for the host's first screen.
    pub fn connect(addr: &str, config: TerminalConfig) -> Result<Driver, HarnessError> {
        let target: SocketAddr = addr
            .to_socket_addrs()
            .map_err(|e| HarnessError::io(format!("resolving {addr}"), e))?
            .next()
            .ok_or_else(|| HarnessError::parse("driver address", addr.to_string()))?;
        let stream = TcpStream::connect_timeout(&target, CONNECT_TIMEOUT)
            .map_err(|e| HarnessError::io(format!("connecting to {addr}"), e))?;
        stream
            .set_read_timeout(Some(POLL))
            .and_then(|()| stream.set_nodelay(true))
            .map_err(|e| HarnessError::io("setting socket options", e))?;
        let mut terminal = Terminal::new(config);
        terminal.connected();
        Ok(Driver {
            stream,
            terminal,
            sent: Vec::new(),
            received: Vec::new(),
            events: Vec::new(),
            records: 0,
            closed: false,
        })
    }

    /// Reads once (at most [`POLL`]), feeds the terminal and writes its answer. Returns how
    /// many bytes arrived (0 on a quiet socket or after the host closed).
    pub fn pump(&mut self) -> Result<usize, HarnessError> {
        if self.closed {
            return Ok(0);
        }
        let mut buf = [0u8; READ_CHUNK];
        let n = match self.stream.read(&mut buf) {
            Ok(0) => {
                self.closed = true;
                self.terminal.disconnected();
                return Ok(0);
            }
            Ok(n) => n,
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                return Ok(0)
            }
            Err(e) if e.kind() == ErrorKind::Interrupted => return Ok(0),
            Err(e) if e.kind() == ErrorKind::ConnectionReset => {
                self.closed = true;
                self.terminal.disconnected();
                return Ok(0);
            }
            Err(e) => return Err(HarnessError::io("reading from the host", e)),
        };
        let data = buf.get(..n).unwrap_or_default();
        self.received.push(data.to_vec());
        // A short feed happens only after START-TLS, which this driver does not do.
        self.terminal.feed(data);
        self.drain_events();
        self.flush()?;
        Ok(n)
    }

    /// Writes whatever the terminal has for the host, logging it as one chunk.
    fn flush(&mut self) -> Result<(), HarnessError> {
        let out = self.terminal.take_output();
        if out.is_empty() || self.closed {
            return Ok(());
        }
        self.stream
            .write_all(&out)
            .and_then(|()| self.stream.flush())
            .map_err(|e| HarnessError::io("writing to the host", e))?;
        self.sent.push(out);
        Ok(())
    }

    fn drain_events(&mut self) {
        while let Some(ev) = self.terminal.poll_event() {
            if ev == TerminalEvent::RecordApplied {
                self.records += 1;
            }
            self.events.push(ev);
        }
    }

    /// Pumps until the keyboard is unlocked and no byte has arrived for [`SETTLE`], like
    /// s3270's `Wait(Unlock)`. As in s3270 4.1 (observed: `Wait(Unlock)` answers `ok` at once
    /// while "X PROT" or "X NUM" shows), a lock by an operator error counts as unlocked: only
    /// the host's locks (not connected, awaiting the first write, system wait) are waited
    /// out. Fails when `timeout` passes first or the host closes.
    pub fn wait_unlock(&mut self, timeout: Duration) -> Result<(), HarnessError> {
        let deadline = Instant::now() + timeout;
        let mut quiet_since = Instant::now();
        loop {
            if self.pump()? > 0 {
                quiet_since = Instant::now();
            }
            if self.closed {
                return Err(self.failed("the keyboard to unlock (the host closed)"));
            }
            let waitable = self.lock().is_some_and(|l| !l.is_operator_error());
            if !waitable && quiet_since.elapsed() >= SETTLE {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(self.failed(&format!("the keyboard to unlock within {timeout:?}")));
            }
        }
    }

    /// Pumps until at least `n` host records were applied in all (see [`Driver::records`]).
    pub fn wait_records(&mut self, n: usize, timeout: Duration) -> Result<(), HarnessError> {
        let deadline = Instant::now() + timeout;
        while self.records < n {
            self.pump()?;
            if self.closed || Instant::now() >= deadline {
                return Err(self.failed(&format!("{n} host records (have {})", self.records)));
            }
        }
        Ok(())
    }

    /// Pumps until the host closes the connection.
    pub fn wait_disconnect(&mut self, timeout: Duration) -> Result<(), HarnessError> {
        let deadline = Instant::now() + timeout;
        while !self.closed {
            self.pump()?;
            if Instant::now() >= deadline {
                return Err(self.failed("the host to close the connection"));
            }
        }
        Ok(())
    }

    /// Pumps for `time`, whatever happens (e.g. to let a host answer nothing).
    pub fn idle(&mut self, time: Duration) -> Result<(), HarnessError> {
        let deadline = Instant::now() + time;
        while Instant::now() < deadline && !self.closed {
            self.pump()?;
        }
        Ok(())
    }

    fn failed(&self, what: &str) -> HarnessError {
        HarnessError::Driver {
            what: what.to_string(),
            detail: format!(
                "lock {:?}, mode {:?}, {} host records, closed {}; screen:\n{}",
                self.terminal.screen().lock(),
                self.terminal.mode(),
                self.records,
                self.closed,
                self.text_rows().join("\n")
            ),
        }
    }

    /// Presses a key and sends whatever it produced.
    pub fn key(&mut self, key: Key) -> Result<KeyOutcome, HarnessError> {
        let outcome = self.terminal.key(key);
        self.drain_events();
        self.flush()?;
        Ok(outcome)
    }

    /// Types text at the cursor, like s3270's `String()` (stops at a key that locks).
    pub fn string(&mut self, text: &str) -> Result<KeyOutcome, HarnessError> {
        let outcome = self.terminal.type_text(text);
        self.drain_events();
        self.flush()?;
        Ok(outcome)
    }

    /// ENTER.
    pub fn enter(&mut self) -> Result<KeyOutcome, HarnessError> {
        self.key(Key::Enter)
    }

    /// TAB.
    pub fn tab(&mut self) -> Result<KeyOutcome, HarnessError> {
        self.key(Key::Tab)
    }

    /// PF`n`.
    pub fn pf(&mut self, n: u8) -> Result<KeyOutcome, HarnessError> {
        self.key(Key::Pf(n))
    }

    /// PA`n`.
    pub fn pa(&mut self, n: u8) -> Result<KeyOutcome, HarnessError> {
        self.key(Key::Pa(n))
    }

    /// CLEAR.
    pub fn clear(&mut self) -> Result<KeyOutcome, HarnessError> {
        self.key(Key::Clear)
    }

    /// The terminal (screen, keyboard, mode).
    pub fn terminal(&self) -> &Terminal {
        &self.terminal
    }

    /// The screen rows as s3270's `Ascii()` prints them.
    pub fn text_rows(&self) -> Vec<String> {
        self.terminal.text_rows()
    }

    /// The cursor (row, col), 0-based.
    pub fn cursor(&self) -> (usize, usize) {
        let screen = self.terminal.screen();
        screen.row_col(screen.cursor())
    }

    /// The fields with their attributes.
    pub fn fields(&self) -> Vec<FieldInfo> {
        self.terminal.screen().field_infos()
    }

    /// Rows, columns, cursor, text and fields in one value.
    pub fn snapshot(&self) -> Snapshot {
        self.terminal.snapshot()
    }

    /// Why the keyboard is locked, `None` when it is unlocked.
    pub fn lock(&self) -> Option<LockReason> {
        self.terminal.screen().lock()
    }

    /// The keyboard is unlocked.
    pub fn unlocked(&self) -> bool {
        self.lock().is_none()
    }

    /// The host closed the connection.
    pub fn closed(&self) -> bool {
        self.closed
    }

    /// Host records applied so far (one per [`TerminalEvent::RecordApplied`]).
    pub fn records(&self) -> usize {
        self.records
    }

    /// Every event the terminal reported, in order.
    pub fn events(&self) -> &[TerminalEvent] {
        &self.events
    }

    /// Every chunk written to the host, in order, telnet escapes included.
    pub fn sent_chunks(&self) -> &[Vec<u8>] {
        &self.sent
    }

    /// Everything written to the host, concatenated.
    pub fn sent_stream(&self) -> Vec<u8> {
        self.sent.concat()
    }

    /// The records sent to the host (split at IAC EOR, negotiation dropped, IAC undoubled).
    pub fn sent_records(&self) -> Vec<Vec<u8>> {
        telnet_records(&self.sent_stream())
    }

    /// Everything read from the host, concatenated.
    pub fn received_stream(&self) -> Vec<u8> {
        self.received.concat()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::io::{Read, Write};
    use std::net::TcpListener;

    use super::*;
    use crate::trace::telnet_commands;

    /// A one-shot plain TN3270 host: negotiation, one Erase/Write, then it reads until the
    /// client's first record (IAC EOR) and closes.
    fn tiny_host() -> (String, std::thread::JoinHandle<Vec<u8>>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let handle = std::thread::spawn(move || {
            let (mut sock, _) = listener.accept().unwrap();
            let host: &[u8] = &[
                0xff, 0xfd, 0x18, // DO TERMINAL-TYPE
                0xff, 0xfa, 0x18, 0x01, 0xff, 0xf0, // SB TERMINAL-TYPE SEND SE
                0xff, 0xfd, 0x19, 0xff, 0xfb, 0x19, // DO EOR, WILL EOR
                0xff, 0xfd, 0x00, 0xff, 0xfb, 0x00, // DO BINARY, WILL BINARY
                0xf5, 0xc3, // Erase/Write, WCC restore keyboard + reset MDT
                0x11, 0x40, 0x40, 0x1d, 0x60, // SBA (0,0), SF protected
                0xc8, 0xc5, 0xd3, 0xd3, 0xd6, // "HELLO"
                0x11, 0xc1, 0x50, 0x1d, 0x40, 0x13, // SBA (1,0), SF unprotected, IC
                0x11, 0xc1, 0x60, 0x1d, 0x60, // SBA (1,16), SF protected
                0xff, 0xef, // IAC EOR
            ];
            sock.write_all(host).unwrap();
            let mut got = Vec::new();
            let mut buf = [0u8; 512];
            while !got.ends_with(&[0xff, 0xef]) {
                let n = sock.read(&mut buf).unwrap();
                if n == 0 {
                    break;
                }
                got.extend_from_slice(&buf[..n]);
            }
            got
        });
        (addr, handle)
    }

    #[test]
    fn driver_negotiates_draws_types_and_logs_what_it_sent() {
        let (addr, host) = tiny_host();
        let config = TerminalConfig {
            model: tn3270::terminal::TerminalModel::parse("3279-2-E").unwrap(),
            ..TerminalConfig::default()
        };
        let mut driver = Driver::connect(&addr, config).unwrap();
        driver.wait_unlock(Duration::from_secs(10)).unwrap();
        assert_eq!(driver.text_rows()[0].trim_end(), " HELLO");
        assert_eq!(driver.cursor(), (1, 1));
        assert_eq!(driver.fields().len(), 3);
        assert_eq!(driver.records(), 1);
        driver.string("abc").unwrap();
        assert_eq!(
            driver.enter().unwrap(),
            KeyOutcome::Sent(tn3270::aid::Aid::Enter)
        );
        // The host closes after the record: the driver sees the disconnect.
        driver.wait_disconnect(Duration::from_secs(10)).unwrap();
        // Enter, cursor (1,4), SBA (1,1), "abc" — what s3270 sends for the same screen.
        let enter = vec![0x7d, 0xc1, 0xd4, 0x11, 0xc1, 0xd1, 0x81, 0x82, 0x83];
        assert_eq!(driver.sent_records(), vec![enter]);
        let commands = telnet_commands(&driver.sent_stream());
        assert_eq!(commands.first(), Some(&vec![0xff, 0xfb, 0x18]));
        let mut tt = vec![0xff, 0xfa, 0x18, 0x00];
        tt.extend_from_slice(b"IBM-3279-2-E");
        tt.extend_from_slice(&[0xff, 0xf0]);
        assert_eq!(commands.get(1), Some(&tt));
        // What the host got is exactly what the driver logged.
        assert_eq!(host.join().unwrap(), driver.sent_stream());
    }

    #[test]
    fn a_wait_that_never_ends_times_out_with_the_screen() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let mut driver = Driver::connect(&addr, TerminalConfig::default()).unwrap();
        let err = driver.wait_unlock(Duration::from_millis(100)).unwrap_err();
        assert!(matches!(err, HarnessError::Driver { .. }), "{err}");
        assert!(err.to_string().contains("AwaitingFirst"), "{err}");
        drop(listener);
    }
}
