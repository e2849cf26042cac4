//! The whole terminal: a client connection, the screen, the data stream, the keyboard and the
//! code page wired together (what the browser and the bridge's screen mirror run).

pub mod model;

pub use model::{ModelError, TerminalModel};
