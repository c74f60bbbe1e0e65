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
            match refusal(&req.name, settings) {
                Some(reason) => Err(Error::PackageRefused {
                    package: raw.clone(),
                    reason: reason.into(),
                }),
                None => Ok(req),
            }
        })
        .collect()
}

/// What to do about a package that model-written code imports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InstallDecision {
    /// Install it without asking: a well-known data package, or one the
    /// analyst allowed in Settings.
    Install,
    /// Ask the analyst first (once per session); refused where nobody can answer.
    Ask,
    /// Never: the analyst's lists forbid it, for this reason.
    Refuse(&'static str),
}

/// Whether a missing module's package may be installed, must be asked
/// about, or is refused. The code's wish may come from text in a dataset,
/// so only the analyst's own lists and the well-known list install silently.
pub fn install_decision(distribution: &str, settings: &PackageSettings) -> InstallDecision {
    if let Some(reason) = refusal(distribution, settings) {
        return InstallDecision::Refuse(reason);
    }
    let name = normalise(distribution);
    let listed = |list: &[String]| list.iter().any(|n| normalise(n) == name);
    if is_well_known(distribution)
        || listed(&settings.install_without_asking)
        || listed(&settings.allowlist)
    {
        InstallDecision::Install
    } else {
        InstallDecision::Ask
    }
}

/// Why the analyst's lists forbid `distribution`, if they do.
fn refusal(distribution: &str, settings: &PackageSettings) -> Option<&'static str> {
    let name = normalise(distribution);
    let listed = |list: &[String]| list.iter().any(|n| normalise(n) == name);
    if listed(&settings.denylist) {
        Some("it is on the list of packages not to install (Settings)")
    } else if !settings.allowlist.is_empty() && !listed(&settings.allowlist) {
        Some("only the packages on the allowed list may be installed (Settings)")
    } else {
        None
    }
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

    #[test]
    fn only_the_analysts_lists_and_well_known_packages_install_without_asking() {
        let mut settings = PackageSettings::default();
        assert_eq!(
            install_decision("scikit_learn", &settings),
            InstallDecision::Install
        );
        assert_eq!(install_decision("six", &settings), InstallDecision::Ask);
        // Allowed without asking, and nothing else restricted by it.
        settings.install_without_asking = vec!["Six".into()];
        assert_eq!(install_decision("six", &settings), InstallDecision::Install);
        assert_eq!(install_decision("attrs", &settings), InstallDecision::Ask);
        assert_eq!(
            install_decision("pandas", &settings),
            InstallDecision::Install
        );
        // The restrictive list refuses the rest, well-known ones included.
        settings.allowlist = vec!["six".into()];
        assert!(matches!(
            install_decision("pandas", &settings),
            InstallDecision::Refuse(_)
        ));
        settings.denylist = vec!["six".into()];
        assert!(matches!(
            install_decision("six", &settings),
            InstallDecision::Refuse(_)
        ));
    }
}
