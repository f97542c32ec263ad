//! Where a `gen-crds` run spends its time: with `XTASK_TIMINGS=1`, each phase's wall
//! time is printed to standard error as it ends.

use std::time::Instant;

/// Runs `f`, printing its wall time as phase `name` when `XTASK_TIMINGS` is set.
pub fn phase<T>(name: &str, f: impl FnOnce() -> T) -> T {
    if std::env::var_os("XTASK_TIMINGS").is_none() {
        return f();
    }
    let start = Instant::now();
    let out = f();
    eprintln!(
        "timing: {name}: {:.1} ms",
        start.elapsed().as_secs_f64() * 1e3
    );
    out
}
