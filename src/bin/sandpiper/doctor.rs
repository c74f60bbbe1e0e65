//! `sandpiper doctor`: is Docker ready?

use sandpiper::docker::DockerState;
use sandpiper::{Engine, Settings};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Docker endpoint, e.g. unix:///var/run/docker.sock (default: look in the usual places).
    #[arg(long)]
    docker_host: Option<String>,
}

pub async fn run(args: Args) -> ExitCode {
    let mut settings = Settings::default();
    settings.docker.endpoint = args.docker_host;
    let status = Engine::new(settings).docker_status().await;
    println!("{}\n{}", status.title, status.advice);
    if let Some(engine) = &status.engine {
        println!("Engine: {engine}");
    }
    if let Some(endpoint) = &status.endpoint {
        println!("Endpoint: {endpoint}");
    }
    if status.state == DockerState::Ready {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
