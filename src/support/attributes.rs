//! Attributes declared the same way by several resources, data sources and
//! the ephemeral resource, so each kind has one behaviour and one wording.

use tfplugin::framework::semantic::uuid_ignoring_case;
use tfplugin::framework::validators::uuid;
use tfplugin::framework::Attribute;

/// How a data source or ephemeral resource returns `org_id`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OrgIdReadBack {
    /// In canonical form (lowercase).
    Lowercase,
    /// As configured (a UUID in upper case stays in upper case).
    AsWritten,
}

/// A resource's `org_id`: the root organization, the provider's when unset,
/// kept across plans, replaced when changed (case aside).
pub fn root_org_id_for_resource() -> Attribute {
    Attribute::string("org_id")
        .optional()
        .computed()
        .requires_replace()
        .use_state_for_unknown()
        .validate(uuid())
        .semantic_equality(uuid_ignoring_case())
        .description(
            "The root organization (a UUID). Defaults to the provider's organization. \
             Changing it replaces the resource; a change of case only is no change.",
        )
}

/// A data source's or the ephemeral resource's `org_id`: the root
/// organization, the provider's when unset, returned as `read_back` says.
pub fn root_org_id_for_read(read_back: OrgIdReadBack) -> Attribute {
    let returned = match read_back {
        OrgIdReadBack::Lowercase => "Read back in lowercase.",
        OrgIdReadBack::AsWritten => {
            "Returned as written (a UUID in upper case stays in upper case)."
        }
    };
    Attribute::string("org_id")
        .optional()
        .computed()
        .validate(uuid())
        .description(format!(
            "The root organization (a UUID). Defaults to the provider's organization. {returned}"
        ))
}
