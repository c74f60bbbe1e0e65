//! One attach to each session container's resident harness, per engine
//! process, kept from run to run.
//!
//! The harness reads its runs from the container's stdin. Docker keeps that
//! stdin open when an attached client leaves; Podman (4.3) closes it, and the
//! harness then sees the end of its input. Keeping the attach made once open
//! works on both, and spares a warm run the attach handshake.
//!
//! The links live for the process, not for one `Engine` value: a link is only
//! good as long as the connection this process opened, and every
//! `SessionContainers` and `Sandbox` made in the process (one per call) shares
//! it. A run borrows its container's link (write the request, read frames up
//! to its done frame) and gives it back; a run that ends any other way (time
//! limit, cancel, the harness died, an error) drops it, as does stopping or
//! removing the container (`forget`). Borrowing waits for the run before, so
//! one container's runs in this process never interleave.

use super::streaming::OutputStream;
use crate::error::{Error, Result};
use bollard::Docker;
use bollard::query_parameters::AttachContainerOptionsBuilder;
use futures_util::FutureExt;
use futures_util::stream::{Peekable, StreamExt};
use std::collections::HashMap;
use std::pin::Pin;
use std::sync::{Arc, Mutex, OnceLock};
use tokio::io::{AsyncWrite, AsyncWriteExt};
use tokio::sync::OwnedMutexGuard;

/// An open attach to a container: its stdin, and its output from the moment
/// the attach was made (every run's since, told apart by their tokens).
pub(crate) struct Link {
    input: Pin<Box<dyn AsyncWrite + Send>>,
    output: Peekable<OutputStream>,
}

impl Link {
    async fn attach(docker: &Docker, container_id: &str) -> Result<Self> {
        let options = AttachContainerOptionsBuilder::default()
            .stdin(true)
            .stdout(true)
            .stderr(true)
            .stream(true)
            .logs(false)
            .build();
        let attached = docker.attach_container(container_id, Some(options)).await?;
        Ok(Self {
            input: attached.input,
            output: attached.output.peekable(),
        })
    }

    /// Writes one request to the harness.
    pub(crate) async fn send(&mut self, message: &[u8]) -> Result<()> {
        let sent = async {
            self.input.write_all(message).await?;
            self.input.flush().await
        };
        sent.await
            .map_err(|e| Error::io("sending the run to the session's harness", e))
    }

    /// The container's output, as it arrives.
    pub(crate) fn output(&mut self) -> &mut Peekable<OutputStream> {
        &mut self.output
    }

    /// The daemon closed the attach (the container stopped or restarted since),
    /// as far as can be told without waiting.
    fn has_ended(&mut self) -> bool {
        matches!(
            Pin::new(&mut self.output).peek().now_or_never(),
            Some(None | Some(Err(_)))
        )
    }
}

type Slot = Arc<tokio::sync::Mutex<Option<Link>>>;

fn slots() -> &'static Mutex<HashMap<String, Slot>> {
    static SLOTS: OnceLock<Mutex<HashMap<String, Slot>>> = OnceLock::new();
    SLOTS.get_or_init(Mutex::default)
}

fn slot(container_id: &str) -> Slot {
    slots()
        .lock()
        .expect("resident links lock")
        .entry(container_id.to_owned())
        .or_default()
        .clone()
}

/// A run's turn on its container's link. Dropped without `give_back`, the
/// link goes with it: a run that did not read up to its done frame leaves
/// output behind that the next run must not read.
pub(crate) struct Borrowed {
    link: OwnedMutexGuard<Option<Link>>,
    given_back: bool,
}

impl Borrowed {
    pub(crate) fn link(&mut self) -> &mut Link {
        self.link.as_mut().expect("a borrowed link is attached")
    }

    /// The run read its done frame: the next run may use the link.
    pub(crate) fn give_back(mut self) {
        self.given_back = true;
    }
}

impl Drop for Borrowed {
    fn drop(&mut self) {
        if !self.given_back {
            *self.link = None;
        }
    }
}

/// The container's link, after the run before has given it back; attached
/// now when there is none (or the one kept has ended).
///
/// A new attach reaches the harness on Docker always, but on Podman only when
/// no attach has left since the container started: `SessionContainers::ensure`
/// restarts a Podman container this process holds no link to before its run.
pub(crate) async fn borrow(docker: &Docker, container_id: &str) -> Result<Borrowed> {
    let mut link = slot(container_id).lock_owned().await;
    if link.as_mut().is_some_and(Link::has_ended) {
        *link = None;
    }
    if link.is_none() {
        *link = Some(Link::attach(docker, container_id).await?);
    }
    Ok(Borrowed {
        link,
        given_back: false,
    })
}

/// Whether this process holds an open attach to the container (or a run of
/// it is using one right now).
pub(crate) fn holds_live_link(container_id: &str) -> bool {
    let slot = slots()
        .lock()
        .expect("resident links lock")
        .get(container_id)
        .cloned();
    let Some(slot) = slot else {
        return false;
    };
    match slot.try_lock() {
        Err(_) => true,
        Ok(mut link) => link.as_mut().is_some_and(|l| !l.has_ended()),
    }
}

/// Drops the container's link: it is being stopped, restarted or removed.
pub(crate) fn forget(container_id: &str) {
    slots()
        .lock()
        .expect("resident links lock")
        .remove(container_id);
}
