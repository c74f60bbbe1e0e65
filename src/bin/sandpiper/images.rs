//! `sandpiper images build [VARIANT]...`: the image variants, built (or found
//! unchanged) FROM the sandbox image.

use crate::engine_args::EngineArgs;
use crate::terminal::{print_error, print_event};
use sandpiper::docker::image_variants::ImageVariant;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    action: Action,
}

#[derive(clap::Subcommand)]
enum Action {
    /// Build variants (default: all five); an unchanged variant is not rebuilt.
    Build {
        #[arg(value_enum)]
        variants: Vec<Variant>,
        #[command(flatten)]
        engine: EngineArgs,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Variant {
    Base,
    Data,
    Gui,
    Web,
    Analysis,
}

impl From<Variant> for ImageVariant {
    fn from(p: Variant) -> Self {
        match p {
            Variant::Base => ImageVariant::Base,
            Variant::Data => ImageVariant::Data,
            Variant::Gui => ImageVariant::Gui,
            Variant::Web => ImageVariant::Web,
            Variant::Analysis => ImageVariant::Analysis,
        }
    }
}

pub async fn run(args: Args) -> ExitCode {
    let Action::Build { variants, engine } = args.action;
    let engine = match engine.engine() {
        Ok(engine) => engine,
        Err(code) => return code,
    };
    let variants: Vec<ImageVariant> = if variants.is_empty() {
        ImageVariant::ALL.to_vec()
    } else {
        variants.into_iter().map(Into::into).collect()
    };
    for variant in variants {
        match engine.ensure_variant_image(variant, &print_event).await {
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
