//! The instance's session places as the native TN3270 listener sees them
//! ([`super::SessionManager::places`]): one `sessions.max_sessions` over browser, REST and
//! native sessions. A native session takes a [`Slot`] like the others (released on drop,
//! counted on its endpoint once chosen) but is not in the manager's table: it is not listed,
//! resumed or drained by the manager (the native listener ends its own sessions).

use std::sync::{Arc, Mutex};

use super::{Counts, SessionError, Slot};

/// A cheap handle on the session counts of one [`super::SessionManager`] (or of its own, for a
/// native listener that runs alone).
#[derive(Debug, Clone)]
pub struct Places {
    counts: Arc<Mutex<Counts>>,
    max: u32,
}

impl PartialEq for Places {
    /// The same places: the same counts and limit.
    fn eq(&self, other: &Places) -> bool {
        Arc::ptr_eq(&self.counts, &other.counts) && self.max == other.max
    }
}

impl Eq for Places {}

impl Places {
    /// Places of their own, at most `max` (a native listener without a session manager).
    pub fn new(max: u32) -> Places {
        Places::shared(Arc::default(), max)
    }

    pub(super) fn shared(counts: Arc<Mutex<Counts>>, max: u32) -> Places {
        Places { counts, max }
    }

    /// The limit (`sessions.max_sessions`).
    pub fn max(&self) -> u32 {
        self.max
    }

    /// Takes a place for a native session, or [`SessionError::Limit`] when `max` sessions of
    /// any kind are live. [`Slot::assign`] counts it on its endpoint once chosen.
    pub fn reserve_native(&self) -> Result<Slot, SessionError> {
        let mut c = self
            .counts
            .lock()
            .map_err(|_| SessionError::Limit(self.max))?;
        if c.total >= self.max as usize {
            return Err(SessionError::Limit(self.max));
        }
        c.total += 1;
        c.native += 1;
        Ok(Slot {
            counts: self.counts.clone(),
            endpoint: String::new(),
            user: None,
            held: None,
            native: true,
        })
    }
}
