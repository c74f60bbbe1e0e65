//! Forwarding a container's (or an exec's) output as events while it runs, and
//! spotting the harness's "done" marker in it.

use super::harness;
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
        if line.starts_with(harness::ERROR_MARKER) {
            continue;
        }
        sink.emit(Event::Stderr {
            run_id: run_id.clone(),
            line,
        });
    }
}

/// Makes both collectors watch for this run's "done" marker.
pub(crate) fn watch_for_marker(
    stdout: &mut LineCollector,
    stderr: &mut LineCollector,
    marker: &str,
) {
    for collector in [stdout, stderr] {
        let fresh = std::mem::replace(collector, LineCollector::new(0));
        *collector = fresh.with_done_marker(marker.to_owned());
    }
}

pub(crate) type OutputStream = std::pin::Pin<
    Box<dyn futures_util::Stream<Item = Result<LogOutput, bollard::errors::Error>> + Send>,
>;

/// Forwards output lines as events until the harness's marker has arrived on
/// both streams (Docker forwards them independently, so only then is every line
/// in) or the output closes.
pub(crate) async fn stream_until_done(
    run_id: &RunId,
    mut output: OutputStream,
    sink: &dyn EventSink,
    stdout: &mut LineCollector,
    stderr: &mut LineCollector,
) -> Result<()> {
    while stdout.done_status().is_none() || stderr.done_status().is_none() {
        let Some(chunk) = output.next().await else {
            break;
        };
        match chunk? {
            LogOutput::StdOut { message } => {
                for line in stdout.push(&message) {
                    sink.emit(Event::Stdout {
                        run_id: run_id.clone(),
                        line,
                    });
                }
            }
            LogOutput::StdErr { message } => {
                for line in stderr.push(&message) {
                    // The harness's machine-readable report is for the engine.
                    if line.starts_with(harness::ERROR_MARKER) {
                        continue;
                    }
                    sink.emit(Event::Stderr {
                        run_id: run_id.clone(),
                        line,
                    });
                }
            }
            LogOutput::StdIn { .. } | LogOutput::Console { .. } => {}
        }
    }
    Ok(())
}
