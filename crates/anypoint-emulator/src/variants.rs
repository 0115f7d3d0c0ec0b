//! Platform variants: the answers the emulator can give where the real
//! platform's behaviour is unconfirmed.
//!
//! Each [`Variant`] is one plausible answer to one open question of the API
//! notes (`anypoint-api.md` §8 and §9). Every variant is off by default; the
//! default emulator then plays the answer described by its question (see
//! [`Variant::default_answer`]). Variants that answer the same question
//! exclude each other: turning one on turns the others of its question off.
//!
//! How the answers combine when variants of different questions are on:
//! `revoke-legacy-only` decides the path first (the PATCH answers 405);
//! `no-manage-contracts` then refuses revoke and delete (403);
//! `revoke-refused` refuses every revoke; for a contract that is already
//! REVOKED, `revoke-again-200` / `revoke-again-400` decide, and without them
//! the teardown answer does (409 by default, 400 under
//! `revoke-approved-only`). API group contracts are revoked and deleted by
//! the same rules, except that `revoke-legacy-only` concerns API instances
//! only (a group instance has no legacy path; its PATCH is always served).

use std::collections::BTreeSet;
use std::fmt;

/// One plausible answer of the platform to one open question. Names are
/// kebab-case ([`Variant::name`]); tests and scripts switch them by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Variant {
    /// Only an APPROVED contract can be revoked (400 otherwise); a PENDING,
    /// REJECTED or REVOKED one is deleted directly (204), an APPROVED one
    /// must be revoked first (409).
    RevokeApprovedOnly,
    /// Every revoke answers 400 ("marked for deletion by an external
    /// system"); DELETE works on any contract.
    RevokeRefused,
    /// Revoking an already REVOKED contract answers 200, changing nothing.
    RevokeAgain200,
    /// Revoking an already REVOKED contract answers 400.
    RevokeAgain400,
    /// The API Manager PATCH revoke is not served (405); only the legacy API
    /// Platform `POST …/revoke` revokes.
    RevokeLegacyOnly,
    /// The API instance GET carries its parent API id as `apiId`.
    InstanceWithApiId,
    /// Adding an owner the application already has answers 201 with the
    /// owner (no duplicate).
    OwnerAddExisting201,
    /// The Connected App resides in a business group: `/me` answers
    /// `client.org_id` = the business group while `user.organization.id`
    /// stays the root organization.
    BusinessGroup,
    /// An application PUT or PATCH with `description`/`url` null (or left
    /// out) keeps the stored value; `""` is stored and read back by id as
    /// `""` (the list shows null).
    PutKeepsNull,
    /// Instance 40001 has a fourth tier, 50005 "Silver", DEPRECATED: listed,
    /// but refused for new contracts and tier changes.
    DeprecatedTier,
    /// The application list answers `{"applications":[],"total":0}`.
    ListHidesApplications,
    /// List items are short even with `targetAdminSite=true`.
    ListItemsShort,
    /// The Connected App lacks API Manager's "Manage Contracts": revoke and
    /// delete answer 403.
    NoManageContracts,
    /// The Connected App lacks API Manager's "View Contracts": an API
    /// instance's contract list, one of its contracts, and its tiers answer
    /// 403.
    NoViewContracts,
    /// API Manager's API search matches `assetId`, `groupId`,
    /// `assetVersion`, `productVersion` and `instanceLabel` as parts, without
    /// regard to case, rather than exactly.
    ApiSearchLoose,
    /// A group contract in the application's contract list names its group
    /// instance as `groupInstance: {id, …}`.
    GroupContractGroupInstance,
    /// … as `groupInstances: {id, …}`.
    GroupContractGroupInstances,
    /// … as `apiGroupInstanceId`.
    GroupContractApiGroupInstanceId,
    /// The API group instance GET carries no asset coordinates (null
    /// `assetGroupId`, `assetId`, `assetVersion`, `productVersion`); the
    /// group and its version carry them.
    GroupInstanceWithoutAsset,
}

/// The open questions the variants answer. Two variants of one question
/// exclude each other.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Question {
    ContractTeardown,
    RevokeAgain,
    RevokePath,
    InstanceApiId,
    OwnerAddExisting,
    ConnectedAppOrg,
    ClearingAField,
    DeprecatedTiers,
    ListVisibility,
    ListItems,
    ManageContracts,
    ViewContracts,
    ApiSearchMatching,
    GroupContractField,
    GroupInstanceAsset,
}

impl Question {
    pub(crate) const ALL: &'static [Question] = &[
        Question::ContractTeardown,
        Question::RevokeAgain,
        Question::RevokePath,
        Question::InstanceApiId,
        Question::OwnerAddExisting,
        Question::ConnectedAppOrg,
        Question::ClearingAField,
        Question::DeprecatedTiers,
        Question::ListVisibility,
        Question::ListItems,
        Question::ManageContracts,
        Question::ViewContracts,
        Question::ApiSearchMatching,
        Question::GroupContractField,
        Question::GroupInstanceAsset,
    ];

    pub(crate) fn text(self) -> &'static str {
        match self {
            Question::ContractTeardown => {
                "Which contracts can be revoked, and which deleted without a revoke?"
            }
            Question::RevokeAgain => "What does revoking an already revoked contract answer?",
            Question::RevokePath => "Which revoke call is served?",
            Question::InstanceApiId => "Does the API instance GET carry its parent API id (apiId)?",
            Question::OwnerAddExisting => "What does adding an existing owner answer?",
            Question::ConnectedAppOrg => "Does client.org_id in /me name the root organization?",
            Question::ClearingAField => {
                "What does an application PUT do with description/url sent as null or \"\"?"
            }
            Question::DeprecatedTiers => "Does a DEPRECATED tier take new contracts?",
            Question::ListVisibility => {
                "Does the application list show the Connected App's applications?"
            }
            Question::ListItems => "Are list items whole applications with targetAdminSite=true?",
            Question::ManageContracts => {
                "Does the Connected App hold API Manager's \"Manage Contracts\" permission?"
            }
            Question::ViewContracts => {
                "Does the Connected App hold API Manager's \"View Contracts\" permission?"
            }
            Question::ApiSearchMatching => {
                "Does API Manager's API search match assetId, groupId, assetVersion and \
                 instanceLabel exactly?"
            }
            Question::GroupContractField => {
                "Which field of the application's contract list names a group contract's API \
                 group instance?"
            }
            Question::GroupInstanceAsset => {
                "Does the API group instance GET carry its Exchange asset coordinates?"
            }
        }
    }

    /// What the default emulator plays for this question, and why.
    pub(crate) fn default_answer(self) -> &'static str {
        match self {
            Question::ContractTeardown => {
                "any live contract (APPROVED or PENDING) can be revoked; only a REVOKED or \
                 REJECTED one can be deleted (409 otherwise), the documented rule \"before you \
                 delete a contract, you must first revoke it\""
            }
            Question::RevokeAgain => {
                "409 Conflict, the answer the API Manager spec gives a request that conflicts \
                 with the contract's state"
            }
            Question::RevokePath => {
                "both: the API Manager PATCH {\"status\":\"REVOKED\"} (KB-001115212) and the \
                 legacy API Platform POST …/revoke (MuleSoft's OAS)"
            }
            Question::InstanceApiId => {
                "no apiId, as in every real capture; the parent id is only in the contract \
                 list's apiVersion.apiId"
            }
            Question::OwnerAddExisting => "409 Conflict, the usual answer to a duplicate",
            Question::ConnectedAppOrg => {
                "the Connected App resides in the root organization: client.org_id = \
                 user.organization.id, the common setup"
            }
            Question::ClearingAField => {
                "null (or a field left out of a PUT) clears it; \"\" is stored as null, so both \
                 read back as null"
            }
            Question::DeprecatedTiers => {
                "no seeded tier is deprecated (?active=true still leaves DEPRECATED tiers out)"
            }
            Question::ListVisibility => "every application shows",
            Question::ListItems => {
                "with targetAdminSite=true the items are whole applications without owners \
                 (KB-001116455); without it they are short"
            }
            Question::ManageContracts => "granted: revoke and delete are allowed",
            Question::ViewContracts => {
                "granted: an instance's contract list, its contracts and its tiers are served"
            }
            Question::ApiSearchMatching => {
                "exactly, case included, as MuleSoft's OAS describes each of them (\"exact \
                 match\"); only query matches parts"
            }
            Question::GroupContractField => {
                "groupInstanceId, the field both of API Manager's group contract examples carry \
                 (groupInstanceContractsRetrieve.json, contractCreation.json); apiVersion is null"
            }
            Question::GroupInstanceAsset => {
                "yes: assetGroupId, assetId, assetVersion and productVersion, as the OAS's list \
                 of a group version's instances (groupInstancesRetrieve.json) shows them"
            }
        }
    }

    /// The variants answering this question.
    pub(crate) fn variants(self) -> impl Iterator<Item = Variant> {
        Variant::ALL
            .iter()
            .copied()
            .filter(move |v| v.question_of() == self)
    }
}

impl Variant {
    /// Every variant, in a fixed order.
    pub const ALL: &'static [Variant] = &[
        Variant::RevokeApprovedOnly,
        Variant::RevokeRefused,
        Variant::RevokeAgain200,
        Variant::RevokeAgain400,
        Variant::RevokeLegacyOnly,
        Variant::InstanceWithApiId,
        Variant::OwnerAddExisting201,
        Variant::BusinessGroup,
        Variant::PutKeepsNull,
        Variant::DeprecatedTier,
        Variant::ListHidesApplications,
        Variant::ListItemsShort,
        Variant::NoManageContracts,
        Variant::NoViewContracts,
        Variant::ApiSearchLoose,
        Variant::GroupContractGroupInstance,
        Variant::GroupContractGroupInstances,
        Variant::GroupContractApiGroupInstanceId,
        Variant::GroupInstanceWithoutAsset,
    ];

    /// The kebab-case name (`revoke-approved-only`, …).
    pub fn name(self) -> &'static str {
        match self {
            Variant::RevokeApprovedOnly => "revoke-approved-only",
            Variant::RevokeRefused => "revoke-refused",
            Variant::RevokeAgain200 => "revoke-again-200",
            Variant::RevokeAgain400 => "revoke-again-400",
            Variant::RevokeLegacyOnly => "revoke-legacy-only",
            Variant::InstanceWithApiId => "instance-with-api-id",
            Variant::OwnerAddExisting201 => "owner-add-existing-201",
            Variant::BusinessGroup => "business-group",
            Variant::PutKeepsNull => "put-keeps-null",
            Variant::DeprecatedTier => "deprecated-tier",
            Variant::ListHidesApplications => "list-hides-applications",
            Variant::ListItemsShort => "list-items-short",
            Variant::NoManageContracts => "no-manage-contracts",
            Variant::NoViewContracts => "no-view-contracts",
            Variant::ApiSearchLoose => "api-search-loose",
            Variant::GroupContractGroupInstance => "group-contract-group-instance",
            Variant::GroupContractGroupInstances => "group-contract-group-instances",
            Variant::GroupContractApiGroupInstanceId => "group-contract-api-group-instance-id",
            Variant::GroupInstanceWithoutAsset => "group-instance-without-asset",
        }
    }

    /// The variant with this exact name.
    pub fn from_name(s: &str) -> Option<Variant> {
        Variant::ALL.iter().copied().find(|v| v.name() == s)
    }

    pub(crate) fn question_of(self) -> Question {
        match self {
            Variant::RevokeApprovedOnly | Variant::RevokeRefused => Question::ContractTeardown,
            Variant::RevokeAgain200 | Variant::RevokeAgain400 => Question::RevokeAgain,
            Variant::RevokeLegacyOnly => Question::RevokePath,
            Variant::InstanceWithApiId => Question::InstanceApiId,
            Variant::OwnerAddExisting201 => Question::OwnerAddExisting,
            Variant::BusinessGroup => Question::ConnectedAppOrg,
            Variant::PutKeepsNull => Question::ClearingAField,
            Variant::DeprecatedTier => Question::DeprecatedTiers,
            Variant::ListHidesApplications => Question::ListVisibility,
            Variant::ListItemsShort => Question::ListItems,
            Variant::NoManageContracts => Question::ManageContracts,
            Variant::NoViewContracts => Question::ViewContracts,
            Variant::ApiSearchLoose => Question::ApiSearchMatching,
            Variant::GroupContractGroupInstance
            | Variant::GroupContractGroupInstances
            | Variant::GroupContractApiGroupInstanceId => Question::GroupContractField,
            Variant::GroupInstanceWithoutAsset => Question::GroupInstanceAsset,
        }
    }

    /// The open question this variant answers (short).
    pub fn question(self) -> &'static str {
        self.question_of().text()
    }

    /// What the default emulator answers to this variant's question, and why.
    pub fn default_answer(self) -> &'static str {
        self.question_of().default_answer()
    }

    /// One line naming the public evidence for this answer.
    pub fn evidence(self) -> &'static str {
        match self {
            Variant::RevokeApprovedOnly => {
                "anypoint-api.md §9.1: API Manager's screen offers Delete, not Revoke, for a \
                 pending request; Revoke appears only once a contract is approved"
            }
            Variant::RevokeRefused => {
                "anypoint-api.md §9.1, KB-001121697: a revoke answered \"marked for deletion by \
                 an external system. Please delete the contract\" where a plain DELETE worked"
            }
            Variant::RevokeAgain200 | Variant::RevokeAgain400 => {
                "anypoint-api.md §8 q11: no public source shows what a second revoke answers"
            }
            Variant::RevokeLegacyOnly => {
                "anypoint-api.md §6.2: the PATCH revoke is documented only by KB-001115212; \
                 the API Platform v2 POST …/revoke is in MuleSoft's OAS (mulesoft-dx api-platform)"
            }
            Variant::InstanceWithApiId => {
                "anypoint-api.md §9.4: real instance GETs (kloudtek captures, Axway's API type) \
                 carry no apiId; this variant plays the emulator's earlier answer, which did"
            }
            Variant::OwnerAddExisting201 => {
                "anypoint-api.md §4 and §8 q7: MuleSoft's OAS documents only 201 and 404 for \
                 the owner POST; a duplicate's answer is unconfirmed"
            }
            Variant::BusinessGroup => {
                "anypoint-api.md §9.2: a Connected App can reside in a business group, whose id \
                 client.org_id then carries; DAM: client applications live in the root organization"
            }
            Variant::PutKeepsNull => {
                "anypoint-api.md §8 q10, §9.3: the only real GET capture shows \"\" for an unset \
                 description while the list shows null for it"
            }
            Variant::DeprecatedTier => {
                "anypoint-api.md §9.5, DAM defining-sla-tiers: a deprecated tier takes no new \
                 sign-ups; GET …/tiers lists it unless ?active=true"
            }
            Variant::ListHidesApplications => {
                "anypoint-api.md §8 q9, KB-005385409: a Connected App without the scope gets \
                 {\"applications\":[],\"total\":0} \"even when apps exist\""
            }
            Variant::ListItemsShort => {
                "anypoint-api.md §3.3: the captured list items (kloudtek) are short; \
                 KB-001116455 says targetAdminSite=true adds the credentials"
            }
            Variant::NoManageContracts => {
                "anypoint-api.md §6.2: MuleSoft's API Manager OAS puts revoke and delete under \
                 \"Manage Contracts\", which Application Creator does not give"
            }
            Variant::NoViewContracts => {
                "anypoint-api.md §6.2: MuleSoft's API Manager OAS puts an instance's contract \
                 list, a contract's read and the tier reads under \"View Contracts\", which \
                 Application Creator does not give"
            }
            Variant::ApiSearchLoose => {
                "anypoint-api.md §9.8: MuleSoft's API Manager OAS calls each filter of \
                 GET …/environments/{env}/apis an exact match, but no public capture shows one; \
                 its query parameter matches parts of several fields"
            }
            Variant::GroupContractGroupInstance => {
                "anypoint-api.md §9.9: API Manager's group contract create answer \
                 (contractCreation.json) embeds groupInstance{id,…}; no capture of the \
                 application's contract list shows a group contract"
            }
            Variant::GroupContractGroupInstances => {
                "anypoint-api.md §9.9: API Manager's group contract list \
                 (groupInstanceContractsRetrieve.json) embeds groupInstances{id,…}"
            }
            Variant::GroupContractApiGroupInstanceId => {
                "anypoint-api.md §9.9: Exchange's request names the group instance \
                 apiGroupInstanceId (Request Access.md)"
            }
            Variant::GroupInstanceWithoutAsset => {
                "MuleSoft's OAS: the group and group version examples (groupRetrieve.json, \
                 groupVersionRetrieve.json) show their instances with null asset coordinates"
            }
        }
    }
}

impl fmt::Display for Variant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Every valid name, comma-separated (for error messages).
pub(crate) fn valid_names() -> String {
    Variant::ALL
        .iter()
        .map(|v| v.name())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Parse a variant name; the error lists the valid ones.
pub(crate) fn parse_name(s: &str) -> Result<Variant, String> {
    Variant::from_name(s.trim())
        .ok_or_else(|| format!("unknown variant {s:?}; the variants are: {}", valid_names()))
}

/// The variants in force: at most one per question.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Variants(BTreeSet<Variant>);

impl Variants {
    /// A set from a list; an error when two of them answer one question.
    pub(crate) fn from_list(list: &[Variant]) -> Result<Variants, String> {
        let mut set = Variants::default();
        for &v in list {
            if let Some(other) = set
                .0
                .iter()
                .find(|o| **o != v && o.question_of() == v.question_of())
            {
                return Err(format!(
                    "variants {other} and {v} answer the same question ({}); choose one",
                    v.question()
                ));
            }
            set.0.insert(v);
        }
        Ok(set)
    }

    pub(crate) fn is_on(&self, v: Variant) -> bool {
        self.0.contains(&v)
    }

    /// Turn `v` on (and the others of its question off) or off.
    pub(crate) fn set(&mut self, v: Variant, on: bool) {
        if on {
            self.0.retain(|o| o.question_of() != v.question_of());
            self.0.insert(v);
        } else {
            self.0.remove(&v);
        }
    }

    pub(crate) fn list(&self) -> Vec<Variant> {
        self.0.iter().copied().collect()
    }

    pub(crate) fn names(&self) -> Vec<&'static str> {
        self.0.iter().map(|v| v.name()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_kebab_case() {
        for &v in Variant::ALL {
            assert_eq!(Variant::from_name(v.name()), Some(v));
            assert!(
                v.name()
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{v}"
            );
            assert!(!v.question().is_empty() && !v.evidence().is_empty());
        }
        assert_eq!(Variant::from_name("Revoke-Refused"), None);
        assert_eq!(Variant::from_name("nope"), None);
        let mut names: Vec<_> = Variant::ALL.iter().map(|v| v.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Variant::ALL.len(), "names are unique");
    }

    #[test]
    fn every_question_has_a_variant_and_every_variant_a_listed_question() {
        for q in Question::ALL {
            assert!(q.variants().next().is_some(), "{q:?}");
        }
        for v in Variant::ALL {
            assert!(Question::ALL.contains(&v.question_of()), "{v}");
        }
    }

    #[test]
    fn answers_to_one_question_exclude_each_other() {
        let mut set = Variants::default();
        set.set(Variant::RevokeAgain200, true);
        set.set(Variant::BusinessGroup, true);
        set.set(Variant::RevokeAgain400, true);
        assert_eq!(
            set.list(),
            vec![Variant::RevokeAgain400, Variant::BusinessGroup]
        );
        set.set(Variant::RevokeRefused, true);
        set.set(Variant::RevokeApprovedOnly, true);
        assert!(!set.is_on(Variant::RevokeRefused));
        assert!(set.is_on(Variant::RevokeApprovedOnly));
        set.set(Variant::RevokeApprovedOnly, false);
        set.set(Variant::RevokeApprovedOnly, false);
        assert_eq!(set.names(), vec!["revoke-again-400", "business-group"]);
    }

    #[test]
    fn a_list_with_two_answers_to_one_question_is_refused() {
        let err = Variants::from_list(&[Variant::RevokeRefused, Variant::RevokeApprovedOnly])
            .unwrap_err();
        assert!(
            err.contains("revoke-refused") && err.contains("revoke-approved-only"),
            "{err}"
        );
        let ok = Variants::from_list(&[
            Variant::ListItemsShort,
            Variant::ListHidesApplications,
            Variant::ListItemsShort,
        ])
        .unwrap();
        assert_eq!(ok.list().len(), 2);
    }

    #[test]
    fn an_unknown_name_lists_the_valid_ones() {
        let err = parse_name("revoke-twice").unwrap_err();
        assert!(err.contains("revoke-twice"), "{err}");
        for v in Variant::ALL {
            assert!(err.contains(v.name()), "{err}");
        }
        assert_eq!(parse_name(" put-keeps-null "), Ok(Variant::PutKeepsNull));
    }
}
