//! `sandpiper sessions list [--search WORDS]`.

use sandpiper::{Engine, Result};

#[derive(clap::Args)]
pub struct Args {
    /// Only sessions whose title or a dataset's name contains this (any case).
    #[arg(long)]
    search: Option<String>,
}

pub fn run(engine: &Engine, args: Args) -> Result<()> {
    let list = match &args.search {
        Some(query) => engine.search_sessions(query)?,
        None => engine.list_sessions()?,
    };
    if list.sessions.is_empty() && list.damaged.is_empty() {
        println!("No saved sessions.");
        return Ok(());
    }
    println!(
        "{:<42} {:<32} {:<29} {:>9}  DATASETS",
        "ID", "TITLE", "LAST ACTIVITY", "SIZE"
    );
    for session in &list.sessions {
        println!(
            "{:<42} {:<32} {:<29} {:>9}  {}",
            session.id.as_str(),
            clip(&session.title, 32),
            super::when(session.last_activity),
            super::size(session.size_bytes),
            session.datasets.join(", ")
        );
    }
    for damaged in &list.damaged {
        println!("{:<42} DAMAGED: {}", damaged.folder, damaged.error.title);
        println!("{:<42} {}", "", damaged.error.advice);
    }
    Ok(())
}

fn clip(text: &str, width: usize) -> String {
    match text.chars().count() > width {
        true => text.chars().take(width - 1).chain(['…']).collect(),
        false => text.to_owned(),
    }
}
