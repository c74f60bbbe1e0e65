//! Who is still alive among the engines that made containers. Each engine
//! process has a random id (in its containers' `OWNER` label) and, while it
//! lives, touches `<state dir>/engines/<engine id>` (holding its host name and
//! process id) every `BEAT`. The reaper (`reaper.rs`) then tells:
//!
//! - a heartbeat file of this host whose process is gone: its engine crashed
//!   or was killed, and its runs are orphans at once;
//! - a heartbeat not touched for `STALE`: its engine is gone (also when its
//!   process id was reused since);
//! - no heartbeat file here: an engine of another computer (or another data
//!   folder) on a shared daemon, alive as far as we can know: only the age
//!   limit applies. The host name alone could not tell two laptops apart.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock, Weak};
use std::time::{Duration, SystemTime};

/// How often a living engine says so.
const BEAT: Duration = Duration::from_secs(20);
/// Silent this long: gone.
pub(crate) const STALE: Duration = Duration::from_secs(90);

/// This process's engine id: random, made once.
pub fn engine_id() -> &'static str {
    static ID: OnceLock<String> = OnceLock::new();
    ID.get_or_init(|| uuid::Uuid::new_v4().simple().to_string())
}

/// The folder of heartbeats in a state dir.
pub fn folder(state_dir: &Path) -> PathBuf {
    state_dir.join("engines")
}

/// Beats for as long as `alive` can be upgraded (the engine exists), on a
/// thread of its own so it beats whatever the async runtime is doing.
pub fn keep_beating<T: Send + Sync + 'static>(state_dir: &Path, alive: Weak<T>) {
    let file = folder(state_dir).join(engine_id());
    beat(&file);
    let spawned = std::thread::Builder::new()
        .name("sandpiper-heartbeat".into())
        .spawn(move || {
            loop {
                std::thread::sleep(BEAT);
                match alive.upgrade() {
                    Some(engine) => {
                        drop::<Arc<T>>(engine);
                        beat(&file);
                    }
                    None => return,
                }
            }
        });
    if let Err(err) = spawned {
        tracing::warn!("no heartbeat thread: {err}");
    }
}

fn beat(file: &Path) {
    let written = file
        .parent()
        .map_or(Ok(()), std::fs::create_dir_all)
        .and_then(|()| {
            std::fs::write(
                file,
                format!("{} {}", super::labels::host_name(), std::process::id()),
            )
        });
    if let Err(err) = written {
        // Without a heartbeat our runs look foreign to a later start: only
        // their age then removes them. Never worth failing for.
        tracing::debug!("heartbeat {}: {err}", file.display());
    }
}

/// What the heartbeat of `engine` in `folder` says.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Liveness {
    Alive,
    Gone,
    /// Not an engine of this data folder: nothing known.
    Unknown,
}

pub(crate) fn liveness(
    folder: &Path,
    engine: &str,
    process_alive: impl Fn(i32) -> bool,
) -> Liveness {
    // The id names a file: anything but a plain id is nobody we know.
    if engine.is_empty() || !engine.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Liveness::Unknown;
    }
    let file = folder.join(engine);
    let (Ok(text), Ok(meta)) = (std::fs::read_to_string(&file), std::fs::metadata(&file)) else {
        return Liveness::Unknown;
    };
    let silent = meta
        .modified()
        .ok()
        .and_then(|at| SystemTime::now().duration_since(at).ok())
        .unwrap_or_default();
    if silent > STALE {
        return Liveness::Gone;
    }
    let mut words = text.split_whitespace();
    let (host, pid) = (words.next(), words.next().and_then(|p| p.parse().ok()));
    match (host, pid) {
        (Some(host), Some(pid)) if host == super::labels::host_name() && !process_alive(pid) => {
            Liveness::Gone
        }
        _ => Liveness::Alive,
    }
}

/// Removes heartbeats silent for a day (their engines' runs are long reaped).
pub(crate) fn forget_old(folder: &Path) {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    for entry in entries.flatten() {
        let old = entry
            .metadata()
            .ok()
            .and_then(|m| m.modified().ok())
            .and_then(|at| SystemTime::now().duration_since(at).ok())
            .is_some_and(|silent| silent > Duration::from_secs(24 * 60 * 60));
        if old {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_heartbeat_tells_living_dead_and_unknown_engines_apart() {
        let dir = tempfile::tempdir().unwrap();
        let host = super::super::labels::host_name();
        std::fs::write(dir.path().join("aaa111"), format!("{host} 4242")).unwrap();
        assert_eq!(liveness(dir.path(), "aaa111", |_| true), Liveness::Alive);
        // Same host, its process gone: crashed or killed.
        assert_eq!(liveness(dir.path(), "aaa111", |_| false), Liveness::Gone);
        // Another laptop with the same host name has no heartbeat here.
        assert_eq!(liveness(dir.path(), "bbb222", |_| false), Liveness::Unknown);
        assert_eq!(liveness(dir.path(), "../etc", |_| false), Liveness::Unknown);
        // Silent too long, whatever its process id now names.
        let stale = dir.path().join("ccc333");
        std::fs::write(&stale, format!("{host} 4242")).unwrap();
        let long_ago = SystemTime::now() - STALE - Duration::from_secs(5);
        std::fs::File::options()
            .write(true)
            .open(&stale)
            .unwrap()
            .set_modified(long_ago)
            .unwrap();
        assert_eq!(liveness(dir.path(), "ccc333", |_| true), Liveness::Gone);
    }
}
