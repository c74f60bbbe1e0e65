//! Image variants (seed 002): one Dockerfile template, five variants. Four add
//! only system dependencies; `analysis` bakes in seed 000's data stack once, so
//! a first question never waits for a pandas install. Anything else is installed
//! per session, on demand. The tag is a digest of the rendered Dockerfile, so an
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
    /// The analyses' default: pandas, numpy, matplotlib, seaborn, scipy,
    /// scikit-learn, openpyxl, pyarrow and DuckDB, at pinned versions.
    Analysis,
}

impl ImageVariant {
    pub const ALL: [ImageVariant; 5] =
        [Self::Base, Self::Data, Self::Gui, Self::Web, Self::Analysis];

    pub fn name(self) -> &'static str {
        match self {
            Self::Base => "base",
            Self::Data => "data",
            Self::Gui => "gui",
            Self::Web => "web",
            Self::Analysis => "analysis",
        }
    }

    /// The Debian packages the variant adds.
    pub fn system_packages(self) -> &'static [&'static str] {
        match self {
            Self::Base => &[],
            Self::Data => &["gcc", "g++", "gfortran", "libopenblas-dev", "liblapack-dev"],
            Self::Gui => &["python3-tk"],
            Self::Web => &["curl"],
            Self::Analysis => &[],
        }
    }

    /// The Python packages baked into the variant, pinned: an answer's
    /// provenance names them, and a rebuild must give the same versions.
    pub fn python_packages(self) -> &'static [&'static str] {
        match self {
            Self::Analysis => &[
                "pandas==3.1.1",
                "numpy==2.4.6",
                "matplotlib==3.11.2",
                "seaborn==0.13.2",
                "scipy==1.17.1",
                "scikit-learn==1.9.1",
                "openpyxl==3.1.5",
                "pyarrow==26.0.1",
                "duckdb==2.0.1",
            ],
            _ => &[],
        }
    }

    /// Files of Sandpiper's own the variant installs (name in the build
    /// context, content).
    pub fn files(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Self::Analysis => &[(READER_MODULE, READER_SOURCE)],
            _ => &[],
        }
    }
}

/// The table readers model code gets as `load_data` (`sandbox/read_tables.py`),
/// installed as the module `sandpiper_reading` in the analysis image.
pub const READER_MODULE: &str = "sandpiper_reading.py";
pub const READER_SOURCE: &str = include_str!("../sandbox/read_tables.py");

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
         && PIP_BREAK_SYSTEM_PACKAGES=1 python3 -m pip install --no-cache-dir --upgrade pip setuptools wheel{python} \\\n \
         && rm -f /tmp/{CA_IN_CONTEXT}\n\
         {files}\
         WORKDIR /app\n\
         RUN chown -R appuser:appuser /app\n\
         USER appuser\n\
         ENV PIP_USER=1\n\
         ENV PATH=\"/home/appuser/.local/bin:$PATH\"\n\
         ENV PYTHONUNBUFFERED=1\n",
        name = variant.name(),
        files = variant
            .files()
            .iter()
            .map(|(file, content)| {
                // The digest in the comment changes the tag when the file changes.
                let digest = Sha256::digest(content.as_bytes());
                let short: String = digest.iter().take(6).map(|b| format!("{b:02x}")).collect();
                format!(
                    "# {file} {short}\nCOPY {file} /tmp/{file}\n\
                     RUN install -m 0644 /tmp/{file} \"$(python3 -c 'import sysconfig; \
                     print(sysconfig.get_paths()[\"purelib\"])')/{file}\" && rm /tmp/{file}\n"
                )
            })
            .collect::<String>(),
        python = variant
            .python_packages()
            .iter()
            .map(|p| format!(" {p}"))
            .collect::<String>(),
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
