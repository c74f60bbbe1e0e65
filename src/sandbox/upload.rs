//! Datasets for a remote Docker daemon, which cannot see this machine's files:
//! they travel through the API (put_archive) into a volume on the daemon's side,
//! which the run then mounts read-only at `/data`.

use super::layout::{CONTAINER_DATA_DIR, DatasetMount};
use crate::docker::guard::{Guard, Resource};
use crate::docker::labels;
use crate::error::{Error, Result};
use crate::ids::RunId;
use bollard::Docker;
use bollard::models::{ContainerCreateBody, HostConfig, Mount, MountType, VolumeCreateRequest};
use bollard::query_parameters::{CreateContainerOptions, UploadToContainerOptionsBuilder};

/// Creates the data volume and copies the datasets into it. The volume's guard
/// removes it when the run is over.
pub(crate) async fn upload_datasets(
    docker: &Docker,
    run_id: &RunId,
    image: &str,
    datasets: &[DatasetMount],
) -> Result<Guard> {
    let name = format!("sandpiper-data-{}", run_id.short());
    upload_named(
        docker,
        name,
        labels::for_ephemeral_run(run_id),
        image,
        datasets,
    )
    .await
}

/// The same into a volume with a given name and labels (a session's is kept for
/// every run of the session: datasets go up once).
pub(crate) async fn upload_named(
    docker: &Docker,
    name: String,
    run_labels: std::collections::HashMap<String, String>,
    image: &str,
    datasets: &[DatasetMount],
) -> Result<Guard> {
    let volume = docker
        .create_volume(VolumeCreateRequest {
            name: Some(name),
            labels: Some(run_labels.clone()),
            ..Default::default()
        })
        .await?;
    let volume = Guard::new(docker.clone(), Resource::Volume(volume.name));

    // put_archive needs a container: one that is created, never started, and
    // only holds the volume open for the copy.
    let carrier = docker
        .create_container(
            None::<CreateContainerOptions>,
            ContainerCreateBody {
                image: Some(image.to_owned()),
                cmd: Some(vec!["true".to_owned()]),
                labels: Some(run_labels),
                network_disabled: Some(true),
                host_config: Some(HostConfig {
                    network_mode: Some("none".to_owned()),
                    mounts: Some(vec![Mount {
                        typ: Some(MountType::VOLUME),
                        source: Some(volume.name().to_owned()),
                        target: Some(CONTAINER_DATA_DIR.to_owned()),
                        ..Default::default()
                    }]),
                    ..Default::default()
                }),
                ..Default::default()
            },
        )
        .await?;
    let carrier = Guard::new(docker.clone(), Resource::Container(carrier.id));

    let archive = tokio::task::spawn_blocking({
        let datasets = datasets.to_vec();
        move || archive_of(&datasets)
    })
    .await
    .map_err(|e| Error::io("packing the datasets", std::io::Error::other(e)))??;
    // A read error ends the body early, and Docker then refuses the broken archive.
    let body = bollard::body_try_stream(tokio_util::io::ReaderStream::new(
        tokio::fs::File::from_std(archive),
    ));
    let options = UploadToContainerOptionsBuilder::default()
        .path(CONTAINER_DATA_DIR)
        .build();
    let uploaded = docker
        .upload_to_container(carrier.name(), Some(options), body)
        .await;
    carrier.remove().await?;
    uploaded?;
    Ok(volume)
}

/// A tar of the datasets under their names in `/data`, read-only for everyone,
/// spooled to an anonymous temporary file (datasets can be larger than memory).
fn archive_of(datasets: &[DatasetMount]) -> Result<std::fs::File> {
    use std::io::Seek;
    let packing = |e| Error::io("packing the datasets", e);
    let mut builder = tar::Builder::new(tempfile::tempfile().map_err(packing)?);
    for dataset in datasets {
        let name = dataset
            .container_path
            .strip_prefix(&format!("{CONTAINER_DATA_DIR}/"))
            .unwrap_or(&dataset.container_path);
        let file =
            std::fs::File::open(&dataset.host_path).map_err(|_| Error::DatasetUnreadable {
                path: dataset.host_path.clone(),
                reason: "It could not be opened".to_owned(),
            })?;
        let mut header = tar::Header::new_gnu();
        header.set_size(file.metadata().map_err(packing)?.len());
        header.set_mode(0o444);
        header.set_uid(0);
        header.set_gid(0);
        header.set_mtime(0);
        builder
            .append_data(&mut header, name, file)
            .map_err(packing)?;
    }
    let mut file = builder.into_inner().map_err(packing)?;
    file.rewind().map_err(packing)?;
    Ok(file)
}
