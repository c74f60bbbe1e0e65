//! Making sure the sandbox image is present: use it if it is, pull it (with
//! progress the window can show) if it is not, and say so plainly if that fails.

use crate::error::{Error, Result};
use crate::events::{Event, EventSink};
use bollard::Docker;
use bollard::query_parameters::CreateImageOptionsBuilder;
use futures_util::StreamExt;

/// Returns once `image` is present locally, pulling it when needed.
pub async fn ensure_image(docker: &Docker, image: &str, sink: &dyn EventSink) -> Result<()> {
    match docker.inspect_image(image).await {
        Ok(_) => return Ok(()),
        Err(bollard::errors::Error::DockerResponseServerError {
            status_code: 404, ..
        }) => {}
        Err(err) => return Err(err.into()),
    }

    sink.emit(Event::ImagePullStarted {
        image: image.to_owned(),
    });
    let (name, tag) = split_image_reference(image);
    let options = CreateImageOptionsBuilder::default()
        .from_image(name)
        .tag(tag)
        .build();
    let mut progress = docker.create_image(Some(options), None, None);
    while let Some(item) = progress.next().await {
        let info = item.map_err(|err| pull_failed(image, pull_error_reason(&err)))?;
        if let Some(detail) = info.error_detail {
            let reason = detail.message.unwrap_or_else(|| "unknown error".into());
            return Err(pull_failed(image, reason));
        }
        let detail = info.progress_detail.unwrap_or_default();
        sink.emit(Event::ImagePullProgress {
            image: image.to_owned(),
            layer: info.id,
            status: info.status.unwrap_or_default(),
            current_bytes: detail.current.and_then(|n| u64::try_from(n).ok()),
            total_bytes: detail.total.and_then(|n| u64::try_from(n).ok()),
        });
    }

    // A pull can end without an error and still not produce the image (e.g. a
    // registry mirror that answers oddly); only an inspect proves it is there.
    docker
        .inspect_image(image)
        .await
        .map_err(|err| pull_failed(image, pull_error_reason(&err)))?;
    sink.emit(Event::ImageReady {
        image: image.to_owned(),
    });
    Ok(())
}

fn pull_failed(image: &str, reason: String) -> Error {
    Error::ImagePullFailed {
        image: image.to_owned(),
        reason,
    }
}

fn pull_error_reason(err: &bollard::errors::Error) -> String {
    match err {
        bollard::errors::Error::DockerResponseServerError { message, .. } => message.clone(),
        other => other.to_string(),
    }
}

/// Splits `registry:5000/team/python:3.11-slim` into name and tag. Docker would pull
/// every tag of a repository if asked without one, so a missing tag means `latest`.
/// A digest reference (`name@sha256:…`) is passed whole, with no tag.
pub fn split_image_reference(image: &str) -> (&str, &str) {
    if image.contains('@') {
        return (image, "");
    }
    let last_segment_start = image.rfind('/').map_or(0, |i| i + 1);
    match image[last_segment_start..].rfind(':') {
        Some(colon) => {
            let at = last_segment_start + colon;
            (&image[..at], &image[at + 1..])
        }
        None => (image, "latest"),
    }
}

#[cfg(test)]
mod tests {
    use super::split_image_reference;

    #[test]
    fn image_references_split_into_name_and_tag() {
        assert_eq!(
            split_image_reference("python:3.11-slim"),
            ("python", "3.11-slim")
        );
        assert_eq!(split_image_reference("python"), ("python", "latest"));
        assert_eq!(
            split_image_reference("127.0.0.1:5000/team/py"),
            ("127.0.0.1:5000/team/py", "latest")
        );
        assert_eq!(
            split_image_reference("127.0.0.1:5000/team/py:1"),
            ("127.0.0.1:5000/team/py", "1")
        );
        assert_eq!(
            split_image_reference("py@sha256:abc"),
            ("py@sha256:abc", "")
        );
    }
}
