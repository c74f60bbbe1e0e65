//! `sandpiper images build [PROFILE]...`: the image profiles, built (or found
//! unchanged) FROM the sandbox image.

use crate::engine_args::EngineArgs;
use crate::terminal::{print_error, print_event};
use sandpiper::docker::profiles::ImageProfile;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    action: Action,
}

#[derive(clap::Subcommand)]
enum Action {
    /// Build profiles (default: all four); an unchanged profile is not rebuilt.
    Build {
        #[arg(value_enum)]
        profiles: Vec<Profile>,
        #[command(flatten)]
        engine: EngineArgs,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Profile {
    Base,
    Data,
    Gui,
    Web,
}

impl From<Profile> for ImageProfile {
    fn from(p: Profile) -> Self {
        match p {
            Profile::Base => ImageProfile::Base,
            Profile::Data => ImageProfile::Data,
            Profile::Gui => ImageProfile::Gui,
            Profile::Web => ImageProfile::Web,
        }
    }
}

pub async fn run(args: Args) -> ExitCode {
    let Action::Build { profiles, engine } = args.action;
    let engine = match engine.engine() {
        Ok(engine) => engine,
        Err(code) => return code,
    };
    let profiles: Vec<ImageProfile> = if profiles.is_empty() {
        ImageProfile::ALL.to_vec()
    } else {
        profiles.into_iter().map(Into::into).collect()
    };
    for profile in profiles {
        match engine.ensure_profile_image(profile, &print_event).await {
            Ok((tag, true)) => println!("Built {tag}"),
            Ok((tag, false)) => println!("Unchanged {tag}"),
            Err(err) => {
                print_error(&err.plain_words());
                return ExitCode::FAILURE;
            }
        }
    }
    ExitCode::SUCCESS
}
