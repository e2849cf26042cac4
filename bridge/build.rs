//! Rebuilds the `web3270` binary when the page's files change: release builds embed
//! `index.html` and `static/` (with the generated `static/pkg`) through rust-embed
//! (`src/server/assets.rs`), which cannot see files added after the last build by itself.

fn main() {
    println!("cargo:rerun-if-changed=../index.html");
    println!("cargo:rerun-if-changed=../static");
}
