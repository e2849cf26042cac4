//! [`free_port`]: a free TCP port on 127.0.0.1 for a peer to listen on.
//!
//! The OS picks a free port (bind to port 0); the harness remembers every port it handed out so
//! that two tests in one process never get the same one. A small race remains (another process
//! may take the port between our probe and the peer's bind); peers that fail to bind show it in
//! their log.

use std::collections::HashSet;
use std::net::{Ipv4Addr, TcpListener};
use std::sync::{Mutex, OnceLock};

use crate::HarnessError;

/// How many times [`free_port`] asks the OS before giving up.
const MAX_PROBES: usize = 64;

/// A loopback TCP port that is free now and was not handed out before by this process.
pub fn free_port() -> Result<u16, HarnessError> {
    static GIVEN: OnceLock<Mutex<HashSet<u16>>> = OnceLock::new();
    let given = GIVEN.get_or_init(|| Mutex::new(HashSet::new()));
    for _ in 0..MAX_PROBES {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .map_err(|e| HarnessError::io("binding 127.0.0.1:0", e))?;
        let port = listener
            .local_addr()
            .map_err(|e| HarnessError::io("reading a bound port", e))?
            .port();
        let mut set = given
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if set.insert(port) {
            return Ok(port);
        }
    }
    Err(HarnessError::parse(
        "free port",
        "the OS kept offering ports already handed out",
    ))
}
