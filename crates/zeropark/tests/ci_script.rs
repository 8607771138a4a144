//! Issue 22 #15: CI cannot skip a step and look green. `.ci/run` sets `CI=1` (the
//! PostgreSQL and MQTT tests then fail instead of returning early), runs cargo with
//! `--locked`, installs Node when missing, runs the browser tests through `bash` (so a lost
//! run bit cannot turn them off) and bounds the load test in time.

use std::path::Path;

fn read(rel: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(rel);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The script's command lines, comments and blank lines left out.
fn commands(script: &str) -> Vec<String> {
    script
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect()
}

#[test]
fn ci_sets_ci_uses_locked_and_runs_every_step_unconditionally() {
    let run = read(".ci/run");
    let lines = commands(&run);
    assert!(lines.iter().any(|l| l == "export CI=1"), "CI=1 is exported");
    assert!(run.starts_with("#!/usr/bin/env bash\n"));
    assert!(lines.iter().any(|l| l == "set -euo pipefail"));
    // Every cargo test / clippy / run of the script builds from the lock file.
    let cargo: Vec<&String> = lines
        .iter()
        .filter(|l| {
            l.contains("cargo test")
                || l.contains("cargo clippy")
                || l.contains("cargo run")
                || l.contains("cargo build")
        })
        .collect();
    assert!(cargo.len() >= 2, "{cargo:?}");
    for l in &cargo {
        assert!(l.contains("--locked"), "without --locked: {l}");
    }
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("cargo test --workspace --locked")),
        "the whole workspace is tested"
    );
    // Node is installed when missing; the browser tests run through bash, not `-x` checks.
    assert!(run.contains("command -v node >/dev/null || need+=(nodejs npm)"));
    assert!(lines.iter().any(|l| l == "bash scripts/browser-tests.sh"));
    assert!(!run.contains("-x scripts/"), "no step depends on a run bit");
    // The PostgreSQL server the suites need is started for them.
    assert!(run.contains("ZEROPARK_TEST_PG_URL=$(scripts/pg-test.sh)"));
    // The load test is bounded.
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("timeout 600 ") && l.contains("/examples/loadtest")),
        "{lines:?}"
    );
    // ... with the example the test step built (every example is built by `cargo test`).
    assert!(run.contains("\"$bin_dir/examples/loadtest\""), "{run}");
    // The lake engines' tests run within the workspace's test invocation.
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("cargo test --workspace --locked")
                && l.contains("--features zeropark/ballista")),
        "{lines:?}"
    );
    // ... on both backends (issue 19: SQLite and PostgreSQL).
    assert!(
        run.contains("--pg \"$ZEROPARK_TEST_PG_URL\""),
        "the load test on PostgreSQL"
    );
}

#[test]
fn browser_tests_run_every_test_file_with_node() {
    let script = read("scripts/browser-tests.sh");
    assert!(script.contains("node --test"), "node --test runs the tests");
    assert!(
        script.contains("*.test.mjs"),
        "every tests/browser/*.test.mjs"
    );
    assert!(script.contains("set -euo pipefail"));
}
