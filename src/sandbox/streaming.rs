//! Forwarding a run's output as events while it runs, from the harness's
//! frames, until its "done" frame.

use super::frames::{Done, Frame, FrameReader};
use super::output::LineCollector;
use crate::error::Result;
use crate::events::{Event, EventSink};
use crate::ids::RunId;
use bollard::container::LogOutput;
use futures_util::StreamExt;

/// Emits the last lines that had no newline.
pub(crate) fn flush_lines(
    run_id: &RunId,
    sink: &dyn EventSink,
    stdout: &mut LineCollector,
    stderr: &mut LineCollector,
) {
    for line in stdout.finish() {
        sink.emit(Event::Stdout {
            run_id: run_id.clone(),
            line,
        });
    }
    for line in stderr.finish() {
        sink.emit(Event::Stderr {
            run_id: run_id.clone(),
            line,
        });
    }
}

pub(crate) type OutputStream = std::pin::Pin<
    Box<dyn futures_util::Stream<Item = Result<LogOutput, bollard::errors::Error>> + Send>,
>;

/// Forwards the code's output as events, from the start frame carrying
/// `token` (any start frame when None: a one-off container runs one program)
/// until the "done" frame with it, which it returns. None when the output
/// closed first: the harness itself has died.
///
/// The container's stderr is the harness's own (the code's travels in
/// frames): it only speaks when something is wrong with it, and that is told
/// as the run's stderr.
pub(crate) async fn stream_until_done(
    run_id: &RunId,
    mut output: impl futures_util::Stream<Item = Result<LogOutput, bollard::errors::Error>> + Unpin,
    sink: &dyn EventSink,
    stdout: &mut LineCollector,
    stderr: &mut LineCollector,
    token: Option<&str>,
) -> Result<Option<Done>> {
    let ours = |t: &str| token.is_none_or(|token| token == t);
    let mut frames = FrameReader::default();
    let mut started = false;
    let emit_stdout = |line| Event::Stdout {
        run_id: run_id.clone(),
        line,
    };
    let emit_stderr = |line| Event::Stderr {
        run_id: run_id.clone(),
        line,
    };
    while let Some(chunk) = output.next().await {
        let message = match chunk? {
            LogOutput::StdOut { message } => message,
            LogOutput::StdErr { message } => {
                stderr
                    .push(&message)
                    .into_iter()
                    .for_each(|l| sink.emit(emit_stderr(l)));
                continue;
            }
            LogOutput::StdIn { .. } | LogOutput::Console { .. } => continue,
        };
        for frame in frames.push(&message) {
            match frame {
                Frame::Start(t) => started = started || ours(&t),
                _ if !started => {}
                Frame::Stdout(bytes) => {
                    stdout
                        .push(&bytes)
                        .into_iter()
                        .for_each(|l| sink.emit(emit_stdout(l)));
                }
                Frame::Stderr(bytes) => {
                    stderr
                        .push(&bytes)
                        .into_iter()
                        .for_each(|l| sink.emit(emit_stderr(l)));
                }
                Frame::Done(done) if ours(&done.token) => return Ok(Some(done)),
                Frame::Done(_) => {}
            }
        }
    }
    Ok(None)
}
