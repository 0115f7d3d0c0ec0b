//! The applications this process knows to exist, per platform and
//! organization, and the witness check that uses them: whether the
//! application list is shown to include this Connected App's applications.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard, OnceLock};

use super::client::AnypointClient;
use super::error::ApiError;
use super::models::Application;

impl AnypointClient {
    /// Whether the application list is shown to include this Connected
    /// App's applications: the witness the create-once rule for
    /// applications needs before it takes "not listed" for "not created"
    /// (the rule is in `create_once.rs`). True when the list, queried by
    /// the name of an application this process knows to exist (it created
    /// it, or read it by id), shows that application; or when a page of
    /// the unfiltered list holds such an application, or one that a read by
    /// id confirms. An empty list is never a witness. A failed list is an
    /// error (nothing is known); an unreadable listed application is just
    /// not a witness.
    pub async fn list_shows_own_applications(&self, org: &str) -> Result<bool, ApiError> {
        let known = self.known_applications(org);
        for (id, name) in known.iter().take(WITNESS_READS) {
            let listed = self.find_applications_by_name(org, name).await?;
            if listed.iter().any(|a| a.id == *id) {
                tracing::debug!(
                    witness = id,
                    "the application list shows an application this process knows"
                );
                return Ok(true);
            }
        }
        let page = self.list_page(org, None, 0, WITNESS_PAGE).await?.items;
        if let Some(a) = page
            .iter()
            .find(|a| known.iter().any(|(id, _)| *id == a.id))
        {
            tracing::debug!(
                witness = a.id,
                "the application list shows an application this process knows"
            );
            return Ok(true);
        }
        for listed in page.iter().take(WITNESS_READS) {
            match self.get_application(org, listed.id).await {
                Ok(_) => {
                    tracing::debug!(
                        witness = listed.id,
                        "a read by id confirms an application of the list"
                    );
                    return Ok(true);
                }
                Err(e) if e.is_cancelled() => return Err(e),
                Err(e) => tracing::debug!(
                    id = listed.id,
                    kind = e.kind(),
                    "a listed application cannot be read by id"
                ),
            }
        }
        tracing::debug!(
            listed = page.len(),
            "the application list is not shown to include this Connected App's applications"
        );
        Ok(false)
    }

    /// The registry key of this client's platform and `org`.
    fn witness_key(&self, org: &str) -> (String, String) {
        (
            self.base_url().as_str().to_owned(),
            org.to_ascii_lowercase(),
        )
    }

    /// Remember that `app` exists (this process created it or read it).
    pub(super) fn remember_application(&self, org: &str, app: &Application) {
        let mut all = known_registry();
        let known = all.entry(self.witness_key(org)).or_default();
        known.retain(|(id, _)| *id != app.id);
        known.push_front((app.id, app.name.clone()));
        known.truncate(WITNESSES_KEPT);
    }

    /// Forget application `id` (deleted, or read as gone).
    pub(super) fn forget_application(&self, org: &str, id: &str) {
        let Ok(id) = id.parse::<i64>() else {
            return;
        };
        if let Some(known) = known_registry().get_mut(&self.witness_key(org)) {
            known.retain(|(k, _)| *k != id);
        }
    }

    /// The applications of `org` this process knows to exist, most recent
    /// first: (id, name when last seen).
    fn known_applications(&self, org: &str) -> Vec<(i64, String)> {
        known_registry()
            .get(&self.witness_key(org))
            .map(|k| k.iter().cloned().collect())
            .unwrap_or_default()
    }
}

/// Applications this process knows to exist, per platform and organization,
/// kept for [`AnypointClient::list_shows_own_applications`] (a few per
/// organization are enough: each is a possible witness).
type KnownApplications = HashMap<(String, String), VecDeque<(i64, String)>>;

/// How many known applications are kept per platform and organization.
const WITNESSES_KEPT: usize = 8;
/// How many known applications are looked for, and how many listed ones
/// are read by id, in one witness check.
const WITNESS_READS: usize = 2;
/// The size of the unfiltered page the witness check lists.
const WITNESS_PAGE: u32 = 10;

fn known_registry() -> MutexGuard<'static, KnownApplications> {
    static KNOWN: OnceLock<Mutex<KnownApplications>> = OnceLock::new();
    KNOWN
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use tokio_util::sync::CancellationToken;

    use super::*;
    use crate::config::ClientConfig;
    use secret::Secret;

    fn client(base: &str) -> AnypointClient {
        let cfg = ClientConfig::new(base, "id", Secret::new("secret-value")).unwrap();
        AnypointClient::new(cfg, "1.11.4", CancellationToken::new()).unwrap()
    }

    fn app(id: i64, name: &str) -> Application {
        serde_json::from_value(serde_json::json!({ "id": id, "name": name })).unwrap()
    }

    #[test]
    fn known_applications_are_kept_per_platform_and_organization() {
        let a = client("http://127.0.0.1:19");
        let b = client("http://127.0.0.1:29");
        a.remember_application("Org-1", &app(1, "one"));
        a.remember_application("org-1", &app(2, "two"));
        // Renamed: seen again under its new name, once.
        a.remember_application("org-1", &app(1, "uno"));
        assert_eq!(
            a.known_applications("ORG-1"),
            [(1, "uno".to_owned()), (2, "two".to_owned())]
        );
        assert!(a.known_applications("org-2").is_empty());
        assert!(b.known_applications("org-1").is_empty());
        a.forget_application("org-1", "1");
        a.forget_application("org-1", "not-a-number");
        assert_eq!(a.known_applications("org-1"), [(2, "two".to_owned())]);
        for id in 10..30 {
            a.remember_application("org-1", &app(id, "many"));
        }
        let kept = a.known_applications("org-1");
        assert_eq!(kept.len(), WITNESSES_KEPT);
        assert_eq!(kept[0].0, 29, "the most recent first");
    }
}
