//! The analyst's leave for a package the code asked for that Sandpiper does
//! not install by itself (see `packages::install_decision`). The engine asks
//! the window, once per session; where nobody can answer (the CLI, an
//! evaluation) there is no consent and the package is refused.

use crate::events::EventSink;
use crate::ids::SessionId;
use tokio_util::sync::CancellationToken;

/// Something that can ask the analyst whether to install a package.
#[async_trait::async_trait]
pub trait InstallConsent: Send + Sync {
    /// Whether `package` (which the code's `import module` needs) may be
    /// installed into `session`. False when the analyst says no, or when
    /// `cancel` fires while waiting for the answer.
    async fn may_install(
        &self,
        session: &SessionId,
        package: &str,
        module: &str,
        sink: &dyn EventSink,
        cancel: &CancellationToken,
    ) -> bool;
}
