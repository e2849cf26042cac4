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
//!
//! It also prints the **CPU time** per run, from the thread's on-CPU time in
//! `/proc/thread-self/schedstat` (Linux, nanoseconds, updated at least every scheduler tick:
//! run ≥ 1 s for a figure within 1 %). On a shared, loaded machine this is the per-core
//! figure that wall-clock timings (criterion's) cannot give, as they include the time the
//! process waited for a core:
//!
//! ```text
//! nice cargo bench -p tn3270 --bench workloads -- apply 100000
//! ```

mod common;

use std::hint::black_box;
use std::time::Instant;

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
    let (cpu_start, wall_start) = (on_cpu_ns(), Instant::now());
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
    let wall = wall_start.elapsed().as_secs_f64();
    let runs = (count + 1) as f64;
    print!(
        "{workload} x{count} (full-screen record of {} bytes): {:.3} µs wall per run",
        full.len(),
        wall * 1e6 / runs
    );
    match (cpu_start, on_cpu_ns()) {
        (Some(a), Some(b)) => {
            let cpu = (b - a) as f64 / 1e9;
            println!(
                ", {:.3} µs CPU per run = {:.0} runs per CPU-second",
                cpu * 1e6 / runs,
                runs / cpu
            )
        }
        _ => println!(" (no /proc/thread-self/schedstat: no CPU time)"),
    }
}

/// This thread's time on a CPU so far, in nanoseconds (Linux schedstat's first field).
fn on_cpu_ns() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    stat.split_whitespace().next()?.parse().ok()
}
