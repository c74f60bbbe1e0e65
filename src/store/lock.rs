//! One window at a time changes a session: an OS file lock on `session.lock`
//! in its folder, held for as long as the session is open. The OS drops it
//! when the process ends, however it ends, so a crash never leaves a session
//! locked. A second window is refused in plain words and writes nothing.

use super::layout::SessionFolder;
use crate::error::{Error, Result};
use crate::ids::SessionId;
use std::fs::{File, OpenOptions, TryLockError};

/// Held while the session is open; dropping it releases the lock.
#[derive(Debug)]
pub struct SessionLock {
    _file: File,
}

/// Takes the session's lock without waiting: refused when another window (or
/// process) has the session open.
pub fn acquire(folder: &SessionFolder, id: &SessionId) -> Result<SessionLock> {
    let not_saved = |source| Error::SessionNotSaved {
        id: id.to_string(),
        doing: "opening the session's lock".into(),
        source,
    };
    std::fs::create_dir_all(folder.dir()).map_err(not_saved)?;
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(folder.lock_file())
        .map_err(not_saved)?;
    match file.try_lock() {
        Ok(()) => Ok(SessionLock { _file: file }),
        Err(TryLockError::WouldBlock) => Err(Error::SessionInUse { id: id.to_string() }),
        Err(TryLockError::Error(source)) => Err(not_saved(source)),
    }
}
