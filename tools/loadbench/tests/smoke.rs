//! Smoke test of `web3270-load run` so the benchmark cannot rot: a tiny run (20 idle
//! sessions, 5 active, 1-second phases) with this build's bridge in a child process
//! (`--bridge self`) and the benchmark's own host, on loopback. The real figures come from
//! `scripts/bench-load.sh` with the release `web3270` (docs/PERFORMANCE.md, "Bridge load").
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

use serde_json::Value;

#[test]
fn a_tiny_run_reports_idle_memory_latency_and_records_per_second() {
    let dir = std::env::temp_dir().join(format!("web3270-load-smoke-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let json_path = dir.join("report.json");
    let out = Command::new(env!("CARGO_BIN_EXE_web3270-load"))
        .args([
            "run",
            "--bridge",
            "self",
            "--idle",
            "20",
            "--active",
            "5",
            "--rate",
            "5",
            "--seconds",
            "1",
            "--timeout",
            "120",
            "--json",
        ])
        .arg(&json_path)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "stdout:\n{stdout}\nstderr:\n{stderr}");
    assert!(stdout.contains("RSS per idle session"), "{stdout}");
    assert!(stdout.contains("added latency at 5 active"), "{stdout}");

    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(&json_path).unwrap()).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    let idle = &report["idle"];
    assert_eq!(idle["reached"], 20, "{report:#}");
    assert_eq!(idle["first_error"], Value::Null);
    assert!(idle["rss_after_bytes"].as_u64().unwrap() > 0);
    // Four phases: direct paced, bridge paced, bridge closed loop, direct closed loop.
    let phases = report["phases"].as_array().unwrap();
    let kinds: Vec<(&str, &str)> = phases
        .iter()
        .map(|p| (p["path"].as_str().unwrap(), p["mode"].as_str().unwrap()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("direct", "paced"),
            ("bridge", "paced"),
            ("bridge", "max"),
            ("direct", "max")
        ]
    );
    for p in phases {
        assert_eq!(p["sessions"], 5);
        assert_eq!(p["errors"], 0, "{p:#}");
        assert!(p["round_trips"].as_u64().unwrap() >= 5, "{p:#}");
        assert!(p["latency"]["p50_us"].as_f64().unwrap() > 0.0);
    }
    assert!(phases[2]["records_per_s"].as_f64().unwrap() > 0.0);
    assert_eq!(report["added_latency_paced"][0]["sessions"], 5);
}

#[test]
fn a_remote_host_is_refused() {
    let out = Command::new(env!("CARGO_BIN_EXE_web3270-load"))
        .args([
            "run",
            "--host",
            "192.0.2.1:23",
            "--idle",
            "1",
            "--active",
            "1",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("only loopback targets"));
}
