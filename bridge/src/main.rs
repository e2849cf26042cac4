//! `web3270`: the bridge binary. Subcommands: `replay` (see `--help`).
fn main() {
    eprintln!("web3270: not yet");
}
