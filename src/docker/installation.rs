//! Which installation of Sandpiper made a container: a random id kept in the
//! state dir (`installation-id`), written at the first start. Two installations
//! on one Docker daemon (two users of a team server, or the tests next to the
//! app) then each see and clean up only their own session containers.

use std::path::Path;

const FILE: &str = "installation-id";

/// This state dir's installation id, made and kept the first time it is asked
/// for. When the state dir cannot be written, a digest of its canonical path
/// stands in (the same for every start that cannot write either).
pub fn installation_id(state_dir: &Path) -> String {
    let file = state_dir.join(FILE);
    if let Some(id) = read(&file) {
        return id;
    }
    match write_once(state_dir, &file) {
        Some(id) => id,
        None => path_digest(state_dir),
    }
}

fn read(file: &Path) -> Option<String> {
    let text = std::fs::read_to_string(file).ok()?;
    let id = text.trim();
    (!id.is_empty()).then(|| id.to_owned())
}

/// Writes a new id unless another start wrote one first: the id goes into a
/// file of its own, then is linked into place, which fails if one is there,
/// so no reader ever sees a half-written id and two starts agree on one.
fn write_once(state_dir: &Path, file: &Path) -> Option<String> {
    std::fs::create_dir_all(state_dir).ok()?;
    let id = uuid::Uuid::new_v4().simple().to_string();
    let temp = state_dir.join(format!(".{FILE}.{id}"));
    std::fs::write(&temp, &id).ok()?;
    let linked = std::fs::hard_link(&temp, file);
    let _ = std::fs::remove_file(&temp);
    match linked {
        Ok(()) => Some(id),
        Err(_) => read(file),
    }
}

fn path_digest(state_dir: &Path) -> String {
    use sha2::{Digest, Sha256};
    let path = std::fs::canonicalize(state_dir).unwrap_or_else(|_| state_dir.to_owned());
    let digest = Sha256::digest(path.to_string_lossy().as_bytes());
    let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!("path-{hex}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_state_dir_keeps_its_id_and_another_has_another() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        let first = installation_id(a.path());
        assert_eq!(installation_id(a.path()), first, "kept across starts");
        assert_ne!(installation_id(b.path()), first);
        assert_eq!(
            std::fs::read_dir(a.path()).unwrap().count(),
            1,
            "only the id file is left"
        );
    }

    #[test]
    fn a_state_dir_made_on_first_start_gets_one() {
        let root = tempfile::tempdir().unwrap();
        let state = root.path().join("new").join("state");
        let id = installation_id(&state);
        assert_eq!(std::fs::read_to_string(state.join(FILE)).unwrap(), id);
    }
}
