//! A run in a session's long-lived container. Its first process is the
//! resident harness (`harness.py serve`): the engine writes the run as one
//! request on its stdin, through the attach it keeps (`resident_link`), and reads the harness's frames
//! from the run's start frame to its "done" frame, both carrying the run's
//! token. No process to start, no `docker exec`, and pandas and friends are
//! already imported; the container and its work folder stay for the next run.

use super::frames::{Frame, FrameReader};
use super::harness;
use super::output::LineCollector;
use super::resident_link;
use super::run::{Copied, Executed, RunRequest, Sandbox, Stop};
use super::streaming::{flush_lines, stream_until_done};
use crate::error::{Error, Result};
use crate::events::EventSink;
use bollard::Docker;
use bollard::query_parameters::KillContainerOptionsBuilder;
use std::time::Instant;

impl Sandbox {
    /// A run through the resident harness of a running session container.
    pub(super) async fn execute_in_session(
        &self,
        container_id: &str,
        request: &RunRequest,
        sink: &dyn EventSink,
        stdout: &mut LineCollector,
        stderr: &mut LineCollector,
        started: Instant,
    ) -> Result<Executed> {
        let token = uuid::Uuid::new_v4().simple().to_string();
        let message =
            harness::request(&request.program, &request.datasets, &token, &self.settings)?;
        // Attached before the request goes out, so no line of the run is missed.
        let mut borrowed = resident_link::borrow(&self.docker, container_id).await?;
        let link = borrowed.link();
        link.send(&message).await?;

        // The time limit holds whatever the code prints: the select returns at
        // the deadline even while output is still arriving.
        let deadline = tokio::time::Instant::from_std(started + self.settings.timeout());
        let mut done = None;
        let stop = tokio::select! {
            streamed = stream_until_done(&request.run_id, link.output(), sink, stdout, stderr, Some(&token)) => {
                done = streamed?;
                Stop::Exited
            }
            _ = tokio::time::sleep_until(deadline) => Stop::TimedOut,
            _ = request.cancel.cancelled() => Stop::Cancelled,
        };
        flush_lines(&request.run_id, sink, stdout, stderr);
        let mut executed = match (&stop, done) {
            (Stop::Exited, Some(done)) => Executed::announced(done),
            // The stream closed without "done": the harness itself died, and
            // the container with it (most likely its memory limit).
            (Stop::Exited, None) => {
                let state = self
                    .docker
                    .inspect_container(container_id, None)
                    .await?
                    .state;
                Executed {
                    stop,
                    exit_code: state.as_ref().and_then(|s| s.exit_code),
                    oom_killed: state.and_then(|s| s.oom_killed).unwrap_or(false),
                    done: None,
                    artifacts: Vec::new(),
                }
            }
            _ => {
                // The harness ends the code at its own limit too, but only the
                // engine's is the user's: stop the whole session container now.
                // The next run starts it again. (The link goes with `borrowed`.)
                let kill = KillContainerOptionsBuilder::default()
                    .signal("KILL")
                    .build();
                let _ = self.docker.kill_container(container_id, Some(kill)).await;
                Executed {
                    stop,
                    exit_code: None,
                    oom_killed: false,
                    done: None,
                    artifacts: Vec::new(),
                }
            }
        };
        let copied = match (&executed.stop, &executed.done) {
            (Stop::Exited, Some(done)) => {
                // Given back only once the outputs are copied: the next run
                // in this container (warming, say, while a profile's results
                // come out) starts by clearing the output folder.
                let copied = self.copy_outputs(container_id, done).await?;
                borrowed.give_back();
                copied
            }
            _ => Copied::default(),
        };
        executed.artifacts = self.bring_back(copied, request, sink).await?;
        Ok(executed)
    }
}

/// Restarts the resident harness in place (same process, same container, work
/// folder kept), so packages just installed replace modules it had preloaded.
/// Returns once the harness has acknowledged the request.
pub(crate) async fn reload_resident_harness(docker: &Docker, container_id: &str) -> Result<()> {
    use futures_util::StreamExt;
    let token = uuid::Uuid::new_v4().simple().to_string();
    let mut borrowed = resident_link::borrow(docker, container_id).await?;
    let link = borrowed.link();
    link.send(&harness::reload_request(&token)).await?;
    let mut frames = FrameReader::default();
    let acknowledged = async {
        loop {
            match link.output().next().await {
                Some(Ok(bollard::container::LogOutput::StdOut { message })) => {
                    let ours = |f: &Frame| matches!(f, Frame::Done(d) if d.token == token);
                    if frames.push(&message).iter().any(ours) {
                        return Ok(true);
                    }
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => return Err(Error::from(e)),
                None => return Ok(false),
            }
        }
    };
    // Never wait forever. Unacknowledged, the link is dropped with `borrowed`.
    let timeout = std::time::Duration::from_secs(30);
    if let Ok(Ok(true)) = tokio::time::timeout(timeout, acknowledged).await {
        borrowed.give_back();
    }
    Ok(())
}
