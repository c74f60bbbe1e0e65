//! Image profiles (seed 002): one Dockerfile template, four profiles. Only
//! system dependencies go into images; Python packages are installed per
//! session, on demand. The tag is a digest of the rendered Dockerfile, so an
//! unchanged profile is never rebuilt.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ImageProfile {
    /// Non-root `appuser`, pip/setuptools/wheel, PIP_USER, PYTHONUNBUFFERED.
    Base,
    /// Compilers and BLAS/LAPACK, for packages that build native code.
    Data,
    /// Tk, for GUI toolkits.
    Gui,
    /// curl.
    Web,
}

impl ImageProfile {
    pub const ALL: [ImageProfile; 4] = [Self::Base, Self::Data, Self::Gui, Self::Web];

    pub fn name(self) -> &'static str {
        match self {
            Self::Base => "base",
            Self::Data => "data",
            Self::Gui => "gui",
            Self::Web => "web",
        }
    }

    /// The Debian packages the profile adds.
    pub fn system_packages(self) -> &'static [&'static str] {
        match self {
            Self::Base => &[],
            Self::Data => &["gcc", "g++", "gfortran", "libopenblas-dev", "liblapack-dev"],
            Self::Gui => &["python3-tk"],
            Self::Web => &["curl"],
        }
    }
}

/// The file name of the trusted CA bundle in the build context (empty when none):
/// pip needs it behind a TLS-inspecting proxy, and it is deleted in the same step.
pub const CA_IN_CONTEXT: &str = "sandpiper-ca.crt";

/// The profile's Dockerfile, FROM `base_image`.
pub fn render_dockerfile(base_image: &str, profile: ImageProfile) -> String {
    let system = match profile.system_packages() {
        [] => String::new(),
        packages => format!(
            "RUN apt-get update \\\n \
             && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends {} \\\n \
             && rm -rf /var/lib/apt/lists/*\n",
            packages.join(" ")
        ),
    };
    format!(
        "# Sandpiper image profile: {name}\n\
         FROM {base_image}\n\
         # Security: a non-root user (the sandbox also runs as an unprivileged uid).\n\
         RUN (getent group appuser || groupadd -r -g 1000 appuser) \\\n \
         && (id appuser || useradd -r -u 1000 -g appuser -m -d /home/appuser appuser)\n\
         {system}\
         COPY {CA_IN_CONTEXT} /tmp/{CA_IN_CONTEXT}\n\
         RUN if [ -s /tmp/{CA_IN_CONTEXT} ]; then export PIP_CERT=/tmp/{CA_IN_CONTEXT} SSL_CERT_FILE=/tmp/{CA_IN_CONTEXT}; fi \\\n \
         && PIP_BREAK_SYSTEM_PACKAGES=1 python3 -m pip install --no-cache-dir --upgrade pip setuptools wheel \\\n \
         && rm -f /tmp/{CA_IN_CONTEXT}\n\
         WORKDIR /app\n\
         RUN chown -R appuser:appuser /app\n\
         USER appuser\n\
         ENV PIP_USER=1\n\
         ENV PATH=\"/home/appuser/.local/bin:$PATH\"\n\
         ENV PYTHONUNBUFFERED=1\n",
        name = profile.name()
    )
}

/// `sandpiper-<profile>:<first 12 hex digits of the Dockerfile's SHA-256>`.
pub fn tag_for(profile: ImageProfile, dockerfile: &str) -> String {
    let digest = Sha256::digest(dockerfile.as_bytes());
    let hex: String = digest.iter().take(6).map(|b| format!("{b:02x}")).collect();
    format!("sandpiper-{}:{hex}", profile.name())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_profile_renders_its_packages_and_the_base_settings() {
        for profile in ImageProfile::ALL {
            let file = render_dockerfile("python:3.11-slim", profile);
            assert!(file.starts_with(&format!(
                "# Sandpiper image profile: {}\nFROM python:3.11-slim\n",
                profile.name()
            )));
            for package in profile.system_packages() {
                assert!(file.contains(package), "{profile:?} lacks {package}");
            }
            for line in [
                "USER appuser",
                "ENV PIP_USER=1",
                "ENV PYTHONUNBUFFERED=1",
                "pip setuptools wheel",
            ] {
                assert!(file.contains(line), "{profile:?} lacks {line}");
            }
        }
        assert!(!render_dockerfile("x", ImageProfile::Base).contains("apt-get"));
    }

    #[test]
    fn tags_change_only_with_the_dockerfile() {
        let a = render_dockerfile("python:3.11-slim", ImageProfile::Data);
        assert_eq!(
            tag_for(ImageProfile::Data, &a),
            tag_for(ImageProfile::Data, &a)
        );
        let b = render_dockerfile("python:3.12-slim", ImageProfile::Data);
        assert_ne!(
            tag_for(ImageProfile::Data, &a),
            tag_for(ImageProfile::Data, &b)
        );
        assert!(tag_for(ImageProfile::Web, &a).starts_with("sandpiper-web:"));
    }
}
