//! The provider block's schema.

use super::settings::{
    CONTROL_PLANE_NAMES, MAX_MAX_RETRIES, MAX_TIMEOUT_SECONDS, MIN_MAX_RETRIES, MIN_TIMEOUT_SECONDS,
};
use anypoint_client::{MAX_REQUESTS_PER_SECOND, MIN_REQUESTS_PER_SECOND};
use tfplugin::framework::validators::{int_between, non_empty, number_between, one_of, uuid};
use tfplugin::framework::{Attribute, Schema};

pub fn provider_schema() -> Schema {
    Schema::new(
        "The Anypoint provider manages MuleSoft Anypoint Platform client applications, their \
         owners and API contracts. It authenticates as a Connected App with client credentials.",
    )
    .attribute(
        Attribute::string("client_id")
            .optional()
            .validate(non_empty())
            .description("Client id of the Connected App (client credentials grant). May also be set with the `ANYPOINT_CLIENT_ID` environment variable."),
    )
    .attribute(
        Attribute::string("client_secret")
            .optional()
            .sensitive()
            .validate(non_empty())
            .description("Client secret of the Connected App. May also be set with the `ANYPOINT_CLIENT_SECRET` environment variable."),
    )
    .attribute(
        Attribute::string("control_plane")
            .optional()
            .validate(one_of(&CONTROL_PLANE_NAMES))
            .description("The Anypoint control plane: `us` (default), `eu`, `gov`, `ca` or `jp`. May also be set with `ANYPOINT_CONTROL_PLANE`. Ignored when `base_url` is set."),
    )
    .attribute(
        // Checked whole by `Provider::validate` (one rule, one message).
        Attribute::string("base_url")
            .optional()
            .description("Base URL of the Anypoint Platform, overriding `control_plane` (for example the local emulator, `http://127.0.0.1:8080`). Plain `http://` is accepted for loopback hosts only. May also be set with `ANYPOINT_BASE_URL`."),
    )
    .attribute(
        Attribute::string("org_id")
            .optional()
            .validate(uuid())
            .description("The root (master) organization id, where client applications live. A UUID. When unset, it is the root organization of the Connected App's user (`/accounts/api/me`), even when the Connected App resides in a business group. May also be set with `ANYPOINT_ORG_ID`, which must be a UUID too."),
    )
    .attribute(
        Attribute::number("max_retries")
            .optional()
            .validate(int_between(MIN_MAX_RETRIES, MAX_MAX_RETRIES))
            .description("How many times a request that failed with a rate limit, a server-side error or a dropped connection is retried: 0 to 20 (default 5). May also be set with `ANYPOINT_MAX_RETRIES`, which follows the same rule."),
    )
    .attribute(
        Attribute::number("timeout_seconds")
            .optional()
            .validate(int_between(MIN_TIMEOUT_SECONDS, MAX_TIMEOUT_SECONDS))
            .description("How long one HTTP request may wait for the platform's complete answer, in seconds (default 50). A request that times out is retried once; two timeouts in a row end the command's use of the platform (see Retries). May also be set with `ANYPOINT_TIMEOUT_SECONDS`."),
    )
    .attribute(
        Attribute::number("max_requests_per_second")
            .optional()
            .validate(number_between(MIN_REQUESTS_PER_SECOND, MAX_REQUESTS_PER_SECOND))
            .description("The most HTTP requests a second the provider process sends to one host, from 0.1 to 1000 (fractions allowed; unset: no pacing), retries and token requests included, paced 5% under the rate; see Rate limits. May also be set with `ANYPOINT_MAX_REQUESTS_PER_SECOND`, which follows the same rule."),
    )
}
