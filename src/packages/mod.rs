//! Packages on demand (seed 002): which names may be installed, which
//! distribution provides a missing module, and the install step that keeps the
//! network away from analysis code.

pub(crate) mod install;
mod names;
pub(crate) mod store;
mod well_known;

pub use names::{
    Requirement, distribution_for_module, missing_module, normalise, parse_requirement,
};
pub use well_known::is_well_known;

use crate::error::{Error, Result};
use crate::settings::PackageSettings;

/// Validates requested packages against PEP 508 and the user's allow and deny
/// lists.
pub fn check_requests(
    requested: &[String],
    settings: &PackageSettings,
) -> Result<Vec<Requirement>> {
    requested
        .iter()
        .map(|raw| {
            let req = parse_requirement(raw)?;
            let listed = |list: &[String]| list.iter().any(|n| normalise(n) == req.name);
            if listed(&settings.denylist) {
                return Err(Error::PackageRefused {
                    package: raw.clone(),
                    reason: "it is on the list of packages not to install (Settings)".into(),
                });
            }
            if !settings.allowlist.is_empty() && !listed(&settings.allowlist) {
                return Err(Error::PackageRefused {
                    package: raw.clone(),
                    reason: "only the packages on the allowed list may be installed (Settings)"
                        .into(),
                });
            }
            Ok(req)
        })
        .collect()
}

/// Whether a missing module's package may be installed without asking: on
/// the well-known list or the analyst's allowed list, and not on the denied one.
pub fn may_auto_install(distribution: &str, settings: &PackageSettings) -> bool {
    let listed = |list: &[String]| list.iter().any(|n| normalise(n) == normalise(distribution));
    !listed(&settings.denylist) && (is_well_known(distribution) || listed(&settings.allowlist))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allow_and_deny_lists_apply_to_normalised_names() {
        let mut settings = PackageSettings {
            denylist: vec!["Requests".into()],
            ..PackageSettings::default()
        };
        assert!(check_requests(&["requests".into()], &settings).is_err());
        assert!(check_requests(&["tabulate".into()], &settings).is_ok());
        settings.allowlist = vec!["scikit_learn".into()];
        assert!(check_requests(&["tabulate".into()], &settings).is_err());
        assert!(check_requests(&["scikit-learn>=1".into()], &settings).is_ok());
    }
}
