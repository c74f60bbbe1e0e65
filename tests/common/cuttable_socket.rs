//! A Docker socket the tests can cut, as when Docker Desktop quits or the
//! daemon crashes.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use tokio::task::JoinHandle;

/// A stand-in for the Docker daemon's socket that the test can cut, as when
/// Docker Desktop quits or crashes: it forwards to the real daemon until
/// `cut`, then refuses every connection (the socket file stays, dead).
pub struct CuttableSocket {
    path: PathBuf,
    /// The real daemon's socket, found when this one started.
    daemon: PathBuf,
    tasks: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl CuttableSocket {
    pub fn start(dir: &Path) -> CuttableSocket {
        Self::start_at(dir.join("docker.sock"), super::remote::local_socket())
    }

    /// Docker back where it was after going away (restarted): a new socket at
    /// the same place; connections made before are gone.
    pub fn restart(&self) -> CuttableSocket {
        self.cut();
        let _ = std::fs::remove_file(&self.path);
        Self::start_at(self.path.clone(), self.daemon.clone())
    }

    fn start_at(path: PathBuf, daemon: PathBuf) -> CuttableSocket {
        let listener = tokio::net::UnixListener::bind(&path).unwrap();
        let tasks = Arc::new(Mutex::new(Vec::new()));
        let connections = tasks.clone();
        let real = daemon.clone();
        let accepting = tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                let real = real.clone();
                let forward = tokio::spawn(async move {
                    if let Ok(mut daemon) = tokio::net::UnixStream::connect(real).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut daemon).await;
                    }
                });
                connections.lock().unwrap().push(forward);
            }
        });
        tasks.lock().unwrap().push(accepting);
        CuttableSocket {
            path,
            daemon,
            tasks,
        }
    }

    pub fn docker_host(&self) -> String {
        format!("unix://{}", self.path.display())
    }

    /// Docker goes away: every connection ends and no new one is answered.
    pub fn cut(&self) {
        for task in self.tasks.lock().unwrap().drain(..) {
            task.abort();
        }
    }
}
