//! What a [`super::Terminal`] talks through: a telnet/TN3270E connection it negotiates itself
//! (a terminal on a socket, `web3270 replay`, the tests' driver), or **records** exchanged with
//! a bridge that terminated telnet upstream (the browser terminal).
//!
//! In record mode the terminal never sees telnet: host records come in with their TN3270E data
//! type, and what the operator sends goes out as [`Outbound`] items (records, ATTN, SYS REQ)
//! for the caller to put on its transport. When the caller passes the host's TN3270E header
//! along ([`super::Terminal::feed_framed`]), the terminal decides the RESPONSE the header asks
//! for (positive, or negative when the record did not decode) and hands it out as
//! [`Outbound::Response`] for the caller to send; a browser, which never sees headers, never
//! makes one.

use std::collections::VecDeque;

use crate::tn3270e::{ClientConnection, DataType, Mode, Response, SendError};

/// Something the terminal sends in record mode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outbound {
    /// An inbound 3270 record (AID, Read Buffer, Query Reply, SSCP-LU text...).
    Record {
        /// 3270-DATA or SSCP-LU-DATA.
        data_type: DataType,
        /// The record, without TN3270E header, IAC doubling or EOR.
        data: Vec<u8>,
    },
    /// The operator pressed ATTN.
    Attn,
    /// The operator pressed SYS REQ.
    SysReq,
    /// The TN3270E RESPONSE to the host's record `seq`, which asked for one (ALWAYS-RESPONSE,
    /// or ERROR-RESPONSE and the record failed). Only after [`super::Terminal::feed_framed`].
    Response {
        /// The SEQ-NUMBER of the host's record.
        seq: u16,
        /// Positive, or negative with its reason.
        response: Response,
    },
}

/// The most outbound items a record-mode terminal holds before the caller takes them; past it
/// the oldest is dropped (a caller that never drains is a bug, and memory stays bounded).
pub const MAX_OUTBOUND: usize = 256;

#[derive(Debug)]
pub(super) enum Link {
    Telnet(Box<ClientConnection>),
    Records {
        mode: Mode,
        lu: Option<String>,
        out: VecDeque<Outbound>,
    },
}

impl Link {
    pub(super) fn mode(&self) -> Mode {
        match self {
            Link::Telnet(c) => c.mode(),
            Link::Records { mode, .. } => *mode,
        }
    }

    pub(super) fn lu(&self) -> Option<&str> {
        match self {
            Link::Telnet(c) => c.lu(),
            Link::Records { lu, .. } => lu.as_deref(),
        }
    }

    pub(super) fn send_record(
        &mut self,
        data_type: DataType,
        data: &[u8],
    ) -> Result<(), SendError> {
        match self {
            Link::Telnet(c) => c.send_record(data_type, data).map(|_| ()),
            Link::Records { .. } => {
                self.push(Outbound::Record {
                    data_type,
                    data: data.to_vec(),
                });
                Ok(())
            }
        }
    }

    pub(super) fn send_response(&mut self, seq: u16, response: Response) {
        match self {
            // Fails only outside TN3270E, where nobody asked for a response.
            Link::Telnet(c) => {
                let _ = c.send_response(seq, response);
            }
            Link::Records { .. } => self.push(Outbound::Response { seq, response }),
        }
    }

    pub(super) fn send_attn(&mut self) -> Result<(), SendError> {
        match self {
            Link::Telnet(c) => c.send_attn(),
            Link::Records { .. } => {
                self.push(Outbound::Attn);
                Ok(())
            }
        }
    }

    pub(super) fn send_sysreq(&mut self) -> Result<(), SendError> {
        match self {
            Link::Telnet(c) => c.send_sysreq(),
            Link::Records { .. } => {
                self.push(Outbound::SysReq);
                Ok(())
            }
        }
    }

    fn push(&mut self, item: Outbound) {
        if let Link::Records { out, .. } = self {
            if out.len() >= MAX_OUTBOUND {
                out.pop_front();
            }
            out.push_back(item);
        }
    }
}
