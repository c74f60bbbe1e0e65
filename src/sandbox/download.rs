//! Copying a folder out of a container as a tar archive, with a byte cap: the
//! host's disk never takes more than the folder may hold, whatever the code
//! made of it (a sparse file of many GiB is a few bytes inside).

use crate::error::{Error, Result};
use bollard::Docker;
use bollard::query_parameters::DownloadFromContainerOptionsBuilder;
use futures_util::StreamExt;
use std::io::Write;

/// Writes `path` of `container` as a tar archive into `file`. False when the
/// archive grew past `cap_bytes`: reading stopped there and `file` holds an
/// incomplete archive the caller must not use.
pub(crate) async fn archive_into(
    docker: &Docker,
    container: &str,
    path: &str,
    cap_bytes: u64,
    file: &mut std::fs::File,
    doing: &'static str,
) -> Result<bool> {
    let options = DownloadFromContainerOptionsBuilder::default()
        .path(path)
        .build();
    let mut stream = docker.download_from_container(container, Some(options));
    let mut read = 0u64;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk?;
        read = read.saturating_add(chunk.len() as u64);
        if read > cap_bytes {
            return Ok(false);
        }
        file.write_all(&chunk).map_err(|e| Error::io(doing, e))?;
    }
    Ok(true)
}
