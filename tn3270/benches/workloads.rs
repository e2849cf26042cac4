//! The benchmark workloads without criterion, for instruction counts under callgrind, which
//! are repeatable on a loaded machine where wall-clock timings are not:
//!
//! ```text
//! cargo bench -p tn3270 --bench workloads --no-run        # prints the binary's path
//! valgrind --tool=callgrind --callgrind-out-file=/dev/null <binary> apply 1000
//! ```
//!
//! Arguments: the workload (`apply`, `feed`, `read_modified`, `small_write`, `text`) and how
//! many times to run it after one warm-up run. Instructions per run = (Ir at N − Ir at 0) / N.

mod common;

use std::hint::black_box;

use tn3270::aid::Aid;
use tn3270::codepage::CP037;
use tn3270::datastream;
use tn3270::input::inbound;

fn main() {
    // `cargo bench` passes `--bench`; take the first two other arguments.
    let mut args = std::env::args().skip(1).filter(|a| !a.starts_with("--"));
    let workload = args.next().unwrap_or_else(|| "apply".to_string());
    let count: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(1000);

    let caps = common::capabilities();
    let full = common::full_screen_record();
    match workload.as_str() {
        "apply" => {
            let mut screen = common::screen();
            for _ in 0..=count {
                let _ = datastream::process(&mut screen, black_box(&full), &caps);
            }
        }
        "feed" => {
            let framed = common::telnet_frame(&full);
            let mut t = common::connected_terminal();
            for _ in 0..=count {
                t.feed(black_box(&framed));
                common::drain(&mut t);
            }
        }
        "read_modified" => {
            let screen = common::modified_screen();
            let mut out = Vec::new();
            for _ in 0..=count {
                out.clear();
                inbound::read_modified(
                    black_box(&screen),
                    Aid::Enter,
                    false,
                    common::ADDRESSING,
                    &mut out,
                );
            }
        }
        "small_write" => {
            let mut screen = common::screen();
            common::apply(&mut screen, &caps, &full);
            let record = common::small_write_record();
            for _ in 0..=count {
                let _ = datastream::process(&mut screen, black_box(&record), &caps);
            }
        }
        "text" => {
            let mut screen = common::screen();
            common::apply(&mut screen, &caps, &full);
            let mut text = String::new();
            for _ in 0..=count {
                text.clear();
                black_box(&screen).write_text(&CP037, &mut text);
            }
        }
        other => {
            eprintln!("unknown workload {other}: apply, feed, read_modified, small_write, text");
            std::process::exit(2);
        }
    }
    println!("{workload} x{count}: record of {} bytes", full.len());
}
