//! Which packages may be installed: plain PEP 508 names with optional version
//! specifiers, nothing pip would read as a URL, a path or an option; and which
//! distribution provides a module that code failed to import.

use crate::error::{Error, Result};

/// A requirement that passed validation, e.g. `scikit-learn>=1.3`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    /// Normalised (PEP 503): lower case, runs of `-_.` as one `-`.
    pub name: String,
    /// As given, without spaces, e.g. `>=1.3,<2` (empty for any version).
    pub specifier: String,
}

impl Requirement {
    /// What pip is given.
    pub fn to_pip_arg(&self) -> String {
        format!("{}{}", self.name, self.specifier)
    }
}

/// Checks one requirement. Refuses, in plain words, URLs, paths, VCS links,
/// pip options, environment markers and anything else but a name and versions.
pub fn parse_requirement(raw: &str) -> Result<Requirement> {
    let refuse = |why: &str| {
        Err(Error::PackageRefused {
            package: raw.to_owned(),
            reason: why.to_owned(),
        })
    };
    let text = raw.trim();
    if text.is_empty() {
        return refuse("the name is empty");
    }
    if text.starts_with('-') {
        return refuse("it is a pip option, not a package name");
    }
    if text.contains("://") || text.contains('@') || text.starts_with("git+") {
        return refuse("links and URLs are not installed; give the package's name from PyPI");
    }
    if text.contains('/') || text.contains('\\') || text.starts_with('.') || text.starts_with('~') {
        return refuse("files and folders are not installed; give the package's name from PyPI");
    }
    if text.contains(';') {
        return refuse("only a name and versions are accepted");
    }
    let name_end = text
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(text.len());
    let (name, rest) = text.split_at(name_end);
    let valid_name = !name.is_empty()
        && name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric())
        && name
            .chars()
            .last()
            .is_some_and(|c| c.is_ascii_alphanumeric());
    if !valid_name || name.len() > 100 {
        return refuse("that is not a valid package name");
    }
    let specifier: String = rest.chars().filter(|c| !c.is_whitespace()).collect();
    if !specifier.is_empty() && !valid_specifier(&specifier) {
        return refuse("only version conditions like ==1.2 or >=2.0 may follow the name");
    }
    Ok(Requirement {
        name: normalise(name),
        specifier,
    })
}

fn valid_specifier(spec: &str) -> bool {
    spec.split(',').all(|clause| {
        let version = ["===", "==", "!=", "~=", ">=", "<=", ">", "<"]
            .iter()
            .find_map(|op| clause.strip_prefix(op));
        version.is_some_and(|v| {
            !v.is_empty()
                && v.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '*' | '+' | '!'))
        })
    })
}

/// PEP 503 normalisation.
pub fn normalise(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut in_separator = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            if !in_separator {
                out.push('-');
            }
            in_separator = true;
        } else {
            out.push(c.to_ascii_lowercase());
            in_separator = false;
        }
    }
    out
}

/// The distribution that provides a top-level module, where the names differ.
pub fn distribution_for_module(module: &str) -> String {
    let top = module.split('.').next().unwrap_or(module);
    let known = match top {
        "sklearn" => "scikit-learn",
        "cv2" => "opencv-python-headless",
        "PIL" => "Pillow",
        "yaml" => "PyYAML",
        "bs4" => "beautifulsoup4",
        "skimage" => "scikit-image",
        "dateutil" => "python-dateutil",
        "docx" => "python-docx",
        "pptx" => "python-pptx",
        "dotenv" => "python-dotenv",
        "Crypto" => "pycryptodome",
        "OpenSSL" => "pyOpenSSL",
        "google.protobuf" | "google" => "protobuf",
        "jwt" => "PyJWT",
        "magic" => "python-magic",
        "attr" => "attrs",
        "serial" => "pyserial",
        "usb" => "pyusb",
        "statsmodels" => "statsmodels",
        "fitz" => "PyMuPDF",
        "Levenshtein" => "python-Levenshtein",
        "sentence_transformers" => "sentence-transformers",
        other => other,
    };
    normalise(known)
}

/// The module a `ModuleNotFoundError` message names (`No module named 'x.y'`).
pub fn missing_module(message: &str) -> Option<String> {
    let rest = message.strip_prefix("No module named ")?;
    let module = rest.trim().trim_matches(|c| c == '\'' || c == '"');
    // The code can raise this error with any message: only a dotted Python
    // name is a module, never a version, an option or a URL.
    let is_identifier = |part: &str| {
        part.chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    module
        .split('.')
        .all(is_identifier)
        .then(|| module.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_dotted_python_name_is_a_missing_module() {
        assert_eq!(
            missing_module("No module named 'sklearn'").unwrap(),
            "sklearn"
        );
        assert_eq!(
            missing_module("No module named 'google.protobuf'").unwrap(),
            "google.protobuf"
        );
        for forged in [
            "No module named 'pandas==0.1'",
            "No module named 'x --index-url http://evil.example/simple'",
            "No module named 'https://evil.example/x.whl'",
            "No module named '../x'",
            "No module named ''",
            "No module named '1abc'",
        ] {
            assert_eq!(missing_module(forged), None, "{forged}");
        }
    }

    #[test]
    fn plain_names_and_versions_are_accepted() {
        assert_eq!(
            parse_requirement("tabulate").unwrap().to_pip_arg(),
            "tabulate"
        );
        assert_eq!(
            parse_requirement("Scikit_Learn >= 1.3, <2")
                .unwrap()
                .to_pip_arg(),
            "scikit-learn>=1.3,<2"
        );
        assert_eq!(parse_requirement("numpy==1.26.*").unwrap().name, "numpy");
    }

    #[test]
    fn urls_paths_options_and_injections_are_refused() {
        for bad in [
            "--index-url x",
            "-e .",
            "git+https://github.com/x/y",
            "https://evil.example/x.whl",
            "../evil",
            "/tmp/x.whl",
            "pandas; rm -rf /",
            "pandas @ https://x",
            "pandas==",
            "pan das",
            "",
        ] {
            let err = parse_requirement(bad).unwrap_err();
            assert!(
                matches!(err, Error::PackageRefused { .. }),
                "{bad:?} was accepted"
            );
            assert!(!err.plain_words().advice.is_empty());
        }
    }

    #[test]
    fn modules_map_to_their_distributions() {
        assert_eq!(
            distribution_for_module("sklearn.linear_model"),
            "scikit-learn"
        );
        assert_eq!(distribution_for_module("cv2"), "opencv-python-headless");
        assert_eq!(distribution_for_module("PIL"), "pillow");
        assert_eq!(distribution_for_module("yaml"), "pyyaml");
        assert_eq!(distribution_for_module("bs4"), "beautifulsoup4");
        assert_eq!(distribution_for_module("tabulate"), "tabulate");
        assert_eq!(
            missing_module("No module named 'sklearn.linear_model'").as_deref(),
            Some("sklearn.linear_model")
        );
        assert_eq!(missing_module("cannot import name x"), None);
    }
}
