//! Printing engine events and errors in a terminal.

use sandpiper::{Event, PlainWords};

/// Prints an event as it arrives: output lines as the code printed them, the rest
/// as short notes on stderr so that stdout stays the program's own output.
pub fn print_event(event: Event) {
    match event {
        Event::Stdout { line, .. } => println!("{line}"),
        Event::Stderr { line, .. } => eprintln!("{line}"),
        Event::ImagePullStarted { image } => {
            eprintln!("Downloading the Python environment {image} (one time)...")
        }
        Event::ImagePullProgress { .. } | Event::RunStarted { .. } => {}
        Event::ImageReady { image } => eprintln!("{image} is ready."),
        Event::Artifact { artifact, .. } => {
            eprintln!("Saved {}", artifact.path.display())
        }
        Event::RunFinished { summary, .. } => eprintln!("{summary}"),
    }
}

pub fn print_error(words: &PlainWords) {
    eprintln!("{}\n{}", words.title, words.advice);
}
