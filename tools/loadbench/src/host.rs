//! The benchmark's own TN3270 host (`web3270-load host`): as fast as a host can be, so that
//! what the benchmark measures is the bridge.
//!
//! Owns: the listener and one tokio task per connection driving the core's host side
//! ([`HostConnection`]: telnet RFC 854/855, TN3270E RFC 2355 with BIND-IMAGE, RESPONSES,
//! SYSREQ; plain TN3270 RFC 1576 for clients that refuse TN3270E). In 3270 mode it sends a
//! BIND (when BIND-IMAGE was agreed, RFC 2355 §10.4) and a small first screen (Erase/Write,
//! GA23-0059 §3.4); every 3270-DATA record from the terminal (an AID, GA23-0059 §3.5) is
//! answered at once with a small Write that restores the keyboard. No application logic, no
//! timers, no queries. Does not own: the bridge, the clients ([`crate::client`]).
//!
//! Bounds: reads of [`READ_CHUNK`] bytes; records are limited by the core's telnet layer;
//! output is one record per input record. Every connection ends when its peer closes.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tn3270::builder::{ScreenBuilder, Wcc};
use tn3270::screen::attributes::{FieldAttribute, FA_PROTECTED};
use tn3270::screen::ScreenSize;
use tn3270::tn3270e::{
    DataType, DevicePolicy, Event, Function, FunctionSet, HostConfig, HostConnection, Mode,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Bytes read from a terminal at a time (an AID record is a few bytes).
pub const READ_CHUNK: usize = 2048;

/// Pause after a failed `accept` (e.g. out of file descriptors) before trying again.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// LU names given to terminals: this prefix and a number.
const LU_PREFIX: &str = "LOAD";

/// Menu lines of the first screen (rows 2 to 21).
const MENU_LINES: usize = 20;

/// The two records the host sends, built once.
#[derive(Debug)]
pub struct Screens {
    /// Erase/Write (reset, restore keyboard): a full menu screen as a typical application's
    /// (a title, 20 protected lines of text, an input field with the cursor), about 1.8 KB.
    pub first: Vec<u8>,
    /// Write (restore keyboard): "OK" at row 1, column 20.
    pub answer: Vec<u8>,
}

impl Screens {
    /// Builds both records for a model 2 (24×80) screen.
    pub fn new() -> Screens {
        let size = ScreenSize::MODEL_2;
        let cp = &tn3270::codepage::CP037;
        let protected = FieldAttribute::from_byte(FA_PROTECTED);
        let mut first = ScreenBuilder::erase_write(Wcc::NONE.reset().restore_keyboard(), size)
            .at(0, 0)
            .field(protected)
            .text(
                "web3270 load host                                       main menu",
                cp,
            );
        for i in 0..MENU_LINES {
            let line = format!(
                "{:2}  Transaction {:02} ........ inquiry, update and report of account data",
                i + 1,
                i + 1
            );
            first = first.at(2 + i, 1).field(protected).text(&line, cp);
        }
        let first = first
            .at(23, 0)
            .field(protected)
            .text("Option ===>", cp)
            .field(FieldAttribute::from_byte(0))
            .insert_cursor()
            .build();
        let answer = ScreenBuilder::write(Wcc::NONE.restore_keyboard(), size)
            .at(1, 20)
            .text("OK", cp)
            .build();
        Screens { first, answer }
    }
}

impl Default for Screens {
    fn default() -> Self {
        Screens::new()
    }
}

/// Accepts connections on `listener` forever (the process is killed when the run ends).
pub async fn serve(listener: TcpListener) {
    let screens = Arc::new(Screens::new());
    let mut n: u64 = 0;
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(e) => {
                eprintln!("web3270-load host: accept: {e}");
                tokio::time::sleep(ACCEPT_BACKOFF).await;
                continue;
            }
        };
        n += 1;
        tokio::spawn(connection(stream, n, screens.clone()));
    }
}

/// Binds `addr` (loopback only) and serves; prints `listening on ADDR` once bound.
pub fn run_blocking(addr: SocketAddr) -> Result<(), String> {
    if !addr.ip().is_loopback() {
        return Err(format!("{addr} is not a loopback address"));
    }
    crate::limits::raise_open_files();
    let runtime = tokio::runtime::Runtime::new().map_err(|e| format!("runtime: {e}"))?;
    runtime.block_on(async {
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|e| format!("bind {addr}: {e}"))?;
        let local = listener.local_addr().map_err(|e| e.to_string())?;
        println!("listening on {local}");
        serve(listener).await;
        Ok(())
    })
}

/// One terminal: negotiate, first screen, then one answer per 3270-DATA record.
async fn connection(mut stream: TcpStream, n: u64, screens: Arc<Screens>) {
    let _ = stream.set_nodelay(true);
    let mut conn = HostConnection::new(HostConfig {
        tn3270e: true,
        functions: FunctionSet::S3270,
        start_tls: false,
        device_policy: DevicePolicy::Accept {
            default_lu: format!("{LU_PREFIX}{:05}", n % 100_000),
        },
    });
    let mut started = false;
    let mut buf = vec![0u8; READ_CHUNK];
    loop {
        while conn.has_output() {
            match stream.write(conn.pending_output()).await {
                Ok(0) | Err(_) => return,
                Ok(k) => conn.consume_output(k),
            }
        }
        let k = match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(k) => k,
        };
        conn.feed(buf.get(..k).unwrap_or_default());
        while let Some(event) = conn.poll_event() {
            match event {
                Event::ModeChanged(mode) if mode.is_3270() && !started => {
                    started = true;
                    if let Mode::Tn3270e { functions, .. } = mode {
                        if functions.contains(Function::BindImage) {
                            let _ = conn.send_bind(ScreenSize::MODEL_2, ScreenSize::MODEL_2);
                        }
                    }
                    let _ = conn.send_record(DataType::Data3270, &screens.first);
                }
                Event::Record { header, data } => {
                    if header.is_none_or(|h| h.data_type == DataType::Data3270) {
                        let _ = conn.send_record(DataType::Data3270, &screens.answer);
                    }
                    conn.recycle(data);
                }
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn screens_are_small_writes_that_restore_the_keyboard() {
        let s = Screens::new();
        // Erase/Write (CCW form X'05'), WCC reset + restore keyboard (X'C2' graphic-converted),
        // SBA row 0 col 0 (X'11 40 40'), SF protected (X'1D 60'), then the title.
        assert_eq!(
            s.first.get(..7),
            Some(&[0x05, 0xC2, 0x11, 0x40, 0x40, 0x1D, 0x60][..])
        );
        // Write (CCW form X'01'), WCC restore keyboard (X'02'), SBA to 1/20 = address 100
        // (X'C1 E4'), "OK".
        assert_eq!(s.answer, vec![0x01, 0x02, 0x11, 0xC1, 0xE4, 0xD6, 0xD2]);
    }
}
