//! A run in a session's long-lived container, through `docker exec`: no
//! container to create; the container and its work folder stay for the next run.

use super::container_spec;
use super::harness;
use super::layout;
use super::output::LineCollector;
use super::run::{Executed, RunRequest, Sandbox, Stop};
use super::streaming::{flush_lines, stream_until_done, watch_for_marker};
use crate::error::Result;
use crate::events::EventSink;
use bollard::exec::StartExecResults;
use bollard::models::ExecConfig;
use bollard::query_parameters::KillContainerOptionsBuilder;
use std::time::Instant;

impl Sandbox {
    /// A run through `docker exec` in a running session container.
    pub(super) async fn execute_in_session(
        &self,
        container_id: &str,
        request: &RunRequest,
        sink: &dyn EventSink,
        stdout: &mut LineCollector,
        stderr: &mut LineCollector,
        started: Instant,
    ) -> Result<Executed> {
        let argv = harness::command(&request.program, &request.datasets)?;
        let done_token = uuid::Uuid::new_v4().simple().to_string();
        let exec = self
            .docker
            .create_exec(
                container_id,
                ExecConfig {
                    attach_stdout: Some(true),
                    attach_stderr: Some(true),
                    env: Some(vec![
                        format!("SANDPIPER_DONE_TOKEN={done_token}"),
                        "SANDPIPER_IN_SESSION=1".to_owned(),
                    ]),
                    cmd: Some(argv),
                    user: Some(container_spec::unprivileged_user()),
                    working_dir: Some(layout::CONTAINER_WORKSPACE_DIR.to_owned()),
                    ..Default::default()
                },
            )
            .await?;
        watch_for_marker(stdout, stderr, &harness::done_marker(&done_token));
        let StartExecResults::Attached { output, .. } =
            self.docker.start_exec(&exec.id, None).await?
        else {
            unreachable!("an exec started without detach is attached");
        };
        let deadline = tokio::time::Instant::from_std(started + self.settings.timeout());
        let stop = tokio::select! {
            streamed = stream_until_done(&request.run_id, output, sink, stdout, stderr) => {
                streamed?;
                Stop::Exited
            }
            _ = tokio::time::sleep_until(deadline) => Stop::TimedOut,
            _ = request.cancel.cancelled() => Stop::Cancelled,
        };
        flush_lines(&request.run_id, sink, stdout, stderr);
        let announced = stdout.done_status().or(stderr.done_status());
        let (exit_code, outputs) = match (&stop, announced) {
            (Stop::Exited, Some(status)) => {
                let outputs = match stdout.has_outputs() {
                    true => Some(self.download_outputs(container_id).await?),
                    false => None,
                };
                (Some(status), outputs)
            }
            (Stop::Exited, None) => (self.docker.inspect_exec(&exec.id).await?.exit_code, None),
            _ => {
                // An exec'd process cannot be killed through the API: stop the
                // whole session container. The next run starts it again.
                let kill = KillContainerOptionsBuilder::default()
                    .signal("KILL")
                    .build();
                let _ = self.docker.kill_container(container_id, Some(kill)).await;
                (None, None)
            }
        };
        let artifacts = self.bring_back(outputs, request, sink).await?;
        Ok(Executed {
            stop,
            exit_code,
            oom_killed: false,
            announced: announced.is_some(),
            artifacts,
        })
    }
}
