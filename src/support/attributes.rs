//! Attributes declared the same way by several resources, data sources and
//! the ephemeral resource, so each has one behaviour and one wording:
//! `org_id` ([`org_id`]) and `application_id` ([`application_id`]); and the
//! default organization a plan shows for `org_id` ([`plan_org_id`]).

use super::data::AnypointData;
use tfplugin::framework::semantic::uuid_ignoring_case;
use tfplugin::framework::validators::{numeric_id, uuid};
use tfplugin::framework::{Attribute, Diagnostics, Maybe};

/// How a data source or ephemeral resource returns `org_id`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OrgIdReadBack {
    /// In canonical form (lowercase).
    Lowercase,
    /// As configured (a UUID in upper case stays in upper case).
    AsWritten,
}

/// Which `org_id` a schema declares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OrgId {
    /// A resource's root organization: the provider's when unset, kept
    /// across plans, replaced when changed (case aside).
    Resource,
    /// A data source's or the ephemeral resource's root organization: the
    /// provider's when unset, returned as the read-back says.
    Read(OrgIdReadBack),
    /// The organization or business group that holds an API instance: the
    /// provider's when unset, returned as written.
    InstanceHolder,
    /// The organization or business group whose environments are searched:
    /// the provider's when unset, returned as written.
    EnvironmentHolder,
}

/// The `org_id` attribute of `kind`.
pub fn org_id(kind: OrgId) -> Attribute {
    let attribute = Attribute::string("org_id").optional().computed();
    let root = "The root organization (a UUID). Defaults to the provider's organization.";
    let as_written = "Returned as written (a UUID in upper case stays in upper case).";
    match kind {
        OrgId::Resource => attribute
            .requires_replace()
            .use_state_for_unknown()
            .validate(uuid())
            .semantic_equality(uuid_ignoring_case())
            .description(format!(
                "{root} Changing it replaces the resource; a change of case only is no change."
            )),
        OrgId::Read(read_back) => {
            let returned = match read_back {
                OrgIdReadBack::Lowercase => "Read back in lowercase.",
                OrgIdReadBack::AsWritten => as_written,
            };
            attribute
                .validate(uuid())
                .description(format!("{root} {returned}"))
        }
        OrgId::InstanceHolder => attribute.validate(uuid()).description(format!(
            "The organization or business group (a UUID) that holds the API instance. Defaults \
             to the provider's organization. {as_written}"
        )),
        OrgId::EnvironmentHolder => attribute.validate(uuid()).description(format!(
            "The organization or business group (a UUID) whose environments are searched. \
             Defaults to the provider's organization. {as_written}"
        )),
    }
}

/// Which `application_id` a schema declares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ApplicationId {
    /// A resource's application: changing it replaces the resource.
    Resource,
    /// The application a data source or the ephemeral resource reads.
    Read,
}

/// The `application_id` attribute of `kind`: a client application's
/// numeric id, required.
pub fn application_id(kind: ApplicationId) -> Attribute {
    let attribute = Attribute::string("application_id").required();
    let attribute = match kind {
        ApplicationId::Resource => attribute.requires_replace(),
        ApplicationId::Read => attribute,
    };
    attribute.validate(numeric_id()).description(
        "The client application id (digits), e.g. `anypoint_client_application.example.id`.",
    )
}

/// A new object's planned `org_id` when its configuration names none: the
/// provider's organization ([`AnypointData::org_for_plan`]), left unknown
/// without provider data or an answer in time. `Err` when the look-up
/// failed (reported).
pub async fn plan_org_id(
    data: Option<&AnypointData>,
    configured: &Maybe<String>,
    planned: &mut Maybe<String>,
    diags: &mut Diagnostics,
) -> Result<(), ()> {
    if !configured.is_null() {
        return Ok(());
    }
    let Some(data) = data else {
        return Ok(());
    };
    if let Some(org) = data.org_for_plan(diags).await? {
        *planned = Maybe::Known(org);
    }
    Ok(())
}
