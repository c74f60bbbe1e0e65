//! `sandpiper containers list | stop ID | rm ID | prune`: Sandpiper's containers.

use crate::engine_args::EngineArgs;
use crate::terminal::print_error;
use sandpiper::SessionId;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    action: Action,
    #[command(flatten)]
    engine: EngineArgs,
}

#[derive(clap::Subcommand)]
enum Action {
    /// Every Sandpiper container, running or stopped, with its session, image,
    /// age, size and packages.
    List,
    /// Stop a container (by id, id prefix or name).
    Stop { id: String },
    /// Remove a container; a session's goes with its volumes.
    Rm { id: String },
    /// Remove stopped session containers and whatever crashed runs left behind.
    Prune,
    /// End a session: keep its container for next time (stopped, its work folder
    /// cleared) or remove it. Asks when neither flag is given (default: keep).
    Close {
        session: SessionId,
        #[arg(long, conflicts_with = "remove")]
        keep: bool,
        #[arg(long)]
        remove: bool,
    },
}

pub async fn run(args: Args) -> ExitCode {
    let engine = match args.engine.engine() {
        Ok(engine) => engine,
        Err(code) => return code,
    };
    let containers = match engine.session_containers().await {
        Ok(containers) => containers,
        Err(err) => {
            print_error(&err.plain_words());
            return ExitCode::FAILURE;
        }
    };
    let done = match args.action {
        Action::List => containers.list().await.map(|list| {
            println!(
                "{:<14} {:<34} {:<10} {:<8} {:<7} {:>9}  {:<18} PACKAGES",
                "ID", "NAME", "KIND", "STATE", "AGE", "SIZE", "IMAGE"
            );
            for c in list {
                println!(
                    "{:<14} {:<34} {:<10} {:<8} {:<7} {:>9}  {:<18} {}",
                    &c.id[..c.id.len().min(12)],
                    c.name,
                    c.kind,
                    if c.running { "running" } else { "stopped" },
                    age(c.created_at),
                    c.size_bytes.map(size).unwrap_or_else(|| "-".into()),
                    c.image,
                    c.installed_packages.len()
                );
            }
        }),
        Action::Stop { id } => containers
            .stop(&id)
            .await
            .map(|()| println!("Stopped {id}.")),
        Action::Rm { id } => containers
            .remove(&id)
            .await
            .map(|()| println!("Removed {id}.")),
        Action::Prune => containers.prune().await.map(|removed| {
            println!("Removed {} containers.", removed.len());
        }),
        Action::Close {
            session,
            keep,
            remove,
        } => {
            let keep = keep || (!remove && ask_keep(&session));
            containers.close_session(&session, keep).await.map(|()| {
                if keep {
                    println!("Kept the container of {session} for next time (stopped).");
                } else {
                    println!("Removed the container of {session} and its packages.");
                }
            })
        }
    };
    match done {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            print_error(&err.plain_words());
            ExitCode::FAILURE
        }
    }
}

/// "Keep the container?" on a terminal; keep when nobody can answer.
fn ask_keep(session: &SessionId) -> bool {
    use std::io::{BufRead, IsTerminal, Write};
    if !std::io::stdin().is_terminal() {
        return true;
    }
    print!("Keep the container of {session} (and its installed packages) for next time? [Y/n] ");
    let _ = std::io::stdout().flush();
    let mut answer = String::new();
    let _ = std::io::stdin().lock().read_line(&mut answer);
    !matches!(answer.trim().to_lowercase().as_str(), "n" | "no")
}

fn age(created_at: i64) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(created_at);
    let secs = (now - created_at).max(0);
    match secs {
        s if s < 120 => format!("{s}s"),
        s if s < 7200 => format!("{}m", s / 60),
        s if s < 172_800 => format!("{}h", s / 3600),
        s => format!("{}d", s / 86_400),
    }
}

fn size(bytes: i64) -> String {
    match bytes {
        b if b < 1024 * 1024 => format!("{} KB", b / 1024),
        b => format!("{:.1} MB", b as f64 / (1024.0 * 1024.0)),
    }
}
