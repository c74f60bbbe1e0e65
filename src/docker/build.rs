//! Building an image variant through the Docker API, with each build line
//! forwarded as an event, and a failure told with the step that failed.

use super::image_variants::{CA_IN_CONTEXT, ImageVariant, render_dockerfile, tag_for};
use crate::error::{Error, Result};
use crate::events::{Event, EventSink};
use bollard::Docker;
use bollard::query_parameters::BuildImageOptionsBuilder;
use futures_util::StreamExt;
use std::path::Path;

/// The variant's image FROM `base_image` if it is already on this computer
/// (same Dockerfile, same tag); never builds.
pub async fn present_variant_image(
    docker: &Docker,
    base_image: &str,
    variant: ImageVariant,
) -> Option<String> {
    let tag = tag_for(variant, &render_dockerfile(base_image, variant));
    docker.inspect_image(&tag).await.ok().map(|_| tag)
}

/// The variant's image FROM `base_image`: present already (same Dockerfile,
/// same tag) or built now. Returns the tag and whether it was built.
pub async fn ensure_variant_image(
    docker: &Docker,
    base_image: &str,
    variant: ImageVariant,
    ca_bundle: Option<&Path>,
    sink: &dyn EventSink,
) -> Result<(String, bool)> {
    let dockerfile = render_dockerfile(base_image, variant);
    let tag = tag_for(variant, &dockerfile);
    if docker.inspect_image(&tag).await.is_ok() {
        return Ok((tag, false));
    }
    let ca = ca_bundle
        .and_then(|path| std::fs::read(path).ok())
        .unwrap_or_default();
    let context = build_context(&dockerfile, &ca, variant.files())?;
    let options = BuildImageOptionsBuilder::default()
        .dockerfile("Dockerfile")
        .t(&tag)
        .rm(true)
        .forcerm(true)
        .build();
    let mut stream = docker.build_image(options, None, Some(bollard::body_full(context.into())));
    let mut step = String::from("the start");
    while let Some(item) = stream.next().await {
        let info = match item {
            Ok(info) => info,
            // The stream of build lines broke (seen on a loaded machine as
            // "bytes remaining on stream" after the last step). Docker tags
            // the image only once the build succeeded: if the tag is there,
            // the build is done, whatever happened to its lines.
            Err(err) => match docker.inspect_image(&tag).await {
                Ok(_) => return Ok((tag, true)),
                Err(_) => return Err(build_failed(&tag, &step, &err.to_string())),
            },
        };
        if let Some(detail) = info.error_detail {
            let reason = detail.message.unwrap_or_else(|| "unknown error".into());
            return Err(build_failed(&tag, &step, &reason));
        }
        for line in info.stream.unwrap_or_default().lines() {
            let line = line.trim_end();
            if line.is_empty() {
                continue;
            }
            if let Some(rest) = line.strip_prefix("Step ") {
                step = rest.to_owned();
            }
            sink.emit(Event::ImageBuildLine {
                image: tag.clone(),
                line: line.to_owned(),
            });
        }
    }
    docker
        .inspect_image(&tag)
        .await
        .map_err(|err| build_failed(&tag, &step, &err.to_string()))?;
    Ok((tag, true))
}

fn build_failed(image: &str, step: &str, reason: &str) -> Error {
    Error::ImageBuildFailed {
        image: image.to_owned(),
        step: step.to_owned(),
        reason: reason.trim().to_owned(),
    }
}

/// A tar with the Dockerfile, the trusted CA bundle (empty when none) and the
/// variant's own files.
fn build_context(dockerfile: &str, ca: &[u8], files: &[(&str, &str)]) -> Result<Vec<u8>> {
    let packing = |e| Error::io("packing the image's build context", e);
    let mut builder = tar::Builder::new(Vec::new());
    let mut entries = vec![("Dockerfile", dockerfile.as_bytes()), (CA_IN_CONTEXT, ca)];
    entries.extend(
        files
            .iter()
            .map(|(name, content)| (*name, content.as_bytes())),
    );
    for (name, data) in entries {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        builder
            .append_data(&mut header, name, data)
            .map_err(packing)?;
    }
    builder.into_inner().map_err(packing)
}
