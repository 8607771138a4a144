//! What the benchmark ran on: cores, CPU model, memory, load, toolchain and commit.

use serde_json::{Value, json};

fn first_line_with(path: &str, prefix: &str) -> Option<String> {
    let s = std::fs::read_to_string(path).ok()?;
    let line = s.lines().find(|l| l.starts_with(prefix))?;
    Some(line.split_once(':')?.1.trim().to_string())
}

fn command(cmd: &str, args: &[&str]) -> Option<String> {
    let out = std::process::Command::new(cmd).args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// The 1-, 5- and 15-minute load averages: other work on the machine skews timings.
pub fn load_average() -> Option<String> {
    let s = std::fs::read_to_string("/proc/loadavg").ok()?;
    Some(s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
}

pub fn nproc() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

pub fn describe() -> Value {
    let dirty =
        command("git", &["status", "--porcelain", "--untracked-files=no"]).map(|s| !s.is_empty());
    json!({
        "nproc": nproc(),
        "cpu_model": first_line_with("/proc/cpuinfo", "model name"),
        "mem_total": first_line_with("/proc/meminfo", "MemTotal"),
        "kernel": std::fs::read_to_string("/proc/sys/kernel/osrelease").ok().map(|s| s.trim().to_string()),
        "load_average_at_start": load_average(),
        "rustc": command("rustc", &["-V"]),
        "git_commit": command("git", &["rev-parse", "HEAD"]),
        "git_dirty": dirty,
    })
}
