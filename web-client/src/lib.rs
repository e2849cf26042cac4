//! # web-client — web3270's browser terminal (wasm)
//!
//! Draws a 3270 screen on a `<canvas>`, reads the keyboard, and mirrors the screen into the
//! DOM for screen readers. The screen and keyboard rules are `tn3270`'s (GA23-0059); this
//! crate only presents them.
//!
//! | module | role | native-testable |
//! |---|---|---|
//! | [`theme`] | RGB of the 16 extended colours, x3270's base-attribute colours, themes | yes |
//! | [`render`] | [`tn3270::screen::Screen`] → per-cell draw instructions; dirty-cell diff | yes |
//! | [`oia`] | the operator information area as text | yes |
//! | [`pointer`] | mouse: canvas pixels → cells, rectangular selection and its text, hotspots, light pen | yes |
//! | [`a11y`] | the DOM mirror's segments (protected text, labelled inputs) and live announcements | yes |
//! | [`keymap`] | `KeyboardEvent` → [`tn3270::input::Key`], default map after x3270, JSON remapping | yes |
//! | [`demo`] | a demo host session (negotiation + one screen) for the page without a bridge | yes |
//! | [`view`] | glue: the OIA model of a [`tn3270::terminal::Terminal`] | yes |
//! | `web` (wasm32 only) | canvas painter, keyboard listener, ARIA mirror, the JS API `WebTerminal` | browser tests |
//!
//! The renderer works from a `Screen` plus lock/insert state, independent of the transport:
//! today the page feeds raw host bytes into an in-browser `Terminal`; the bridge will send
//! records instead.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod a11y;
pub mod demo;
pub mod keymap;
pub mod oia;
pub mod pointer;
pub mod render;
pub mod theme;
pub mod view;

#[cfg(target_arch = "wasm32")]
pub mod web;

pub use tn3270;
