//! Removing what Sandpiper made on the daemon: containers (killed if running) and
//! volumes, now or, through a `Guard`, even when the task that made them is dropped
//! (the window closed, a run was aborted) before it could clean up.

use bollard::Docker;
use bollard::query_parameters::{RemoveContainerOptionsBuilder, RemoveVolumeOptionsBuilder};

#[derive(Debug, Clone)]
pub(crate) enum Resource {
    Container(String),
    Volume(String),
}

pub(crate) struct Guard {
    docker: Docker,
    resource: Option<Resource>,
}

impl Guard {
    pub(crate) fn new(docker: Docker, resource: Resource) -> Self {
        Self {
            docker,
            resource: Some(resource),
        }
    }

    /// The container id or volume name.
    pub(crate) fn name(&self) -> &str {
        match &self.resource {
            Some(Resource::Container(name) | Resource::Volume(name)) => name,
            None => "",
        }
    }

    /// Keeps the object for good (a session's container and volumes) and
    /// returns its name or id.
    pub(crate) fn keep(mut self) -> String {
        match self.resource.take() {
            Some(Resource::Container(name) | Resource::Volume(name)) => name,
            None => String::new(),
        }
    }

    /// Removes it now (killing a container that still runs) and disarms the guard.
    pub(crate) async fn remove(mut self) -> Result<(), bollard::errors::Error> {
        match self.resource.take() {
            Some(resource) => remove(&self.docker, &resource).await,
            None => Ok(()),
        }
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        let Some(resource) = self.resource.take() else {
            return;
        };
        let docker = self.docker.clone();
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                let _ = remove(&docker, &resource).await;
            });
        }
    }
}

/// Removes a container, killing it if it runs; gone already counts as removed.
pub(crate) async fn remove_container(
    docker: &Docker,
    id: &str,
) -> Result<(), bollard::errors::Error> {
    remove(docker, &Resource::Container(id.to_owned())).await
}

/// Removes a volume; gone already counts as removed.
pub(crate) async fn remove_volume(
    docker: &Docker,
    name: &str,
) -> Result<(), bollard::errors::Error> {
    remove(docker, &Resource::Volume(name.to_owned())).await
}

async fn remove(docker: &Docker, resource: &Resource) -> Result<(), bollard::errors::Error> {
    let removed = match resource {
        Resource::Container(id) => {
            let options = RemoveContainerOptionsBuilder::default()
                .force(true)
                .v(true)
                .build();
            docker.remove_container(id, Some(options)).await
        }
        Resource::Volume(name) => {
            let options = RemoveVolumeOptionsBuilder::default().force(true).build();
            docker.remove_volume(name, Some(options)).await
        }
    };
    match removed {
        // Already gone is what we wanted.
        Err(bollard::errors::Error::DockerResponseServerError {
            status_code: 404, ..
        }) => Ok(()),
        other => other,
    }
}
