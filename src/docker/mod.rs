//! Talking to Docker: finding and connecting to the daemon, telling the user
//! whether it is ready, making sure the sandbox image is present, and labelling
//! every container Sandpiper creates.

mod build;
mod connect;
pub(crate) mod engine_kind;
pub mod guard;
pub mod heartbeat;
mod image;
pub mod image_variants;
mod installation;
pub mod labels;
pub(crate) mod podman;
mod reaper;
mod status;

pub use build::{ensure_variant_image, present_variant_image};
pub use connect::{Connection, connect, is_remote_endpoint};
pub use engine_kind::EngineKind;
pub use image::{ensure_image, split_image_reference};
pub use installation::installation_id;
pub use reaper::{Reaped, reap_orphans};
pub use status::{DockerState, DockerStatus, status};
