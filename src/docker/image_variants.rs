//! Image variants (seed 002): one Dockerfile template, four variants. Only
//! system dependencies go into images; Python packages are installed per
//! session, on demand. The tag is a digest of the rendered Dockerfile, so an
//! unchanged variant is never rebuilt.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ImageVariant {
    /// Non-root `appuser`, pip/setuptools/wheel, PIP_USER, PYTHONUNBUFFERED.
    Base,
    /// Compilers and BLAS/LAPACK, for packages that build native code.
    Data,
    /// Tk, for GUI toolkits.
    Gui,
    /// curl.
    Web,
}

impl ImageVariant {
    pub const ALL: [ImageVariant; 4] = [Self::Base, Self::Data, Self::Gui, Self::Web];

    pub fn name(self) -> &'static str {
        match self {
            Self::Base => "base",
            Self::Data => "data",
            Self::Gui => "gui",
            Self::Web => "web",
        }
    }

    /// The Debian packages the variant adds.
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

/// The variant's Dockerfile, FROM `base_image`.
pub fn render_dockerfile(base_image: &str, variant: ImageVariant) -> String {
    let system = match variant.system_packages() {
        [] => String::new(),
        packages => format!(
            "RUN apt-get update \\\n \
             && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends {} \\\n \
             && rm -rf /var/lib/apt/lists/*\n",
            packages.join(" ")
        ),
    };
    format!(
        "# Sandpiper image variant: {name}\n\
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
        name = variant.name()
    )
}

/// `sandpiper-<variant>:<first 12 hex digits of the Dockerfile's SHA-256>`.
pub fn tag_for(variant: ImageVariant, dockerfile: &str) -> String {
    let digest = Sha256::digest(dockerfile.as_bytes());
    let hex: String = digest.iter().take(6).map(|b| format!("{b:02x}")).collect();
    format!("sandpiper-{}:{hex}", variant.name())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_variant_renders_its_packages_and_the_base_settings() {
        for variant in ImageVariant::ALL {
            let file = render_dockerfile("python:3.11-slim", variant);
            assert!(file.starts_with(&format!(
                "# Sandpiper image variant: {}\nFROM python:3.11-slim\n",
                variant.name()
            )));
            for package in variant.system_packages() {
                assert!(file.contains(package), "{variant:?} lacks {package}");
            }
            for line in [
                "USER appuser",
                "ENV PIP_USER=1",
                "ENV PYTHONUNBUFFERED=1",
                "pip setuptools wheel",
            ] {
                assert!(file.contains(line), "{variant:?} lacks {line}");
            }
        }
        assert!(!render_dockerfile("x", ImageVariant::Base).contains("apt-get"));
    }

    #[test]
    fn tags_change_only_with_the_dockerfile() {
        let a = render_dockerfile("python:3.11-slim", ImageVariant::Data);
        assert_eq!(
            tag_for(ImageVariant::Data, &a),
            tag_for(ImageVariant::Data, &a)
        );
        let b = render_dockerfile("python:3.12-slim", ImageVariant::Data);
        assert_ne!(
            tag_for(ImageVariant::Data, &a),
            tag_for(ImageVariant::Data, &b)
        );
        assert!(tag_for(ImageVariant::Web, &a).starts_with("sandpiper-web:"));
    }
}
