//! What a create that meets an application with its name, or that may
//! have made one it cannot record, tells the user: the application's id (or
//! the name to check) and ready-to-paste import advice. Never an adoption.

use super::model::attrs;
use anypoint_client::ApiError;
use tfplugin::framework::Diagnostics;

/// The address placeholder of the import advice: Terraform does not tell a
/// provider the resource's address, but shows it with the diagnostic.
const IMPORT_TO: &str = "anypoint_client_application.<name>";

/// Ready-to-paste import advice for application `app_id` (digits, or a
/// placeholder) of `org`: an `import` block and the `terraform import`
/// command, with [`IMPORT_TO`] for the address. Indented lines, so that
/// Terraform does not wrap them.
fn import_advice(org: &str, app_id: &str) -> String {
    format!(
        "  import {{\n    to = {IMPORT_TO}\n    id = \"{org}/{app_id}\"\n  }}\n\nor run:\n\n  \
         terraform import {IMPORT_TO} {org}/{app_id}\n"
    )
}

/// How to use [`import_advice`]: the address to put in.
fn import_intro(what: &str) -> String {
    format!(
        "To manage {what} with this resource, import it: add this block to the configuration, \
         with this resource's address (Terraform shows it with this error, after \"with\") in \
         place of {IMPORT_TO}, and apply again"
    )
}

/// An application already has the name: never adopted, so the create
/// fails, naming the applications and how to import them. `refused` is the
/// platform's 409 (none when the listed name stopped the create before it
/// was sent); `ids` may be empty when the list does not show the holder.
pub fn name_taken(
    diags: &mut Diagnostics,
    org: &str,
    name: &str,
    ids: &[i64],
    refused: Option<&ApiError>,
) {
    let summary = format!("Client application name {name:?} is already in use");
    let why = match refused {
        None => "The create was not sent. ".to_owned(),
        Some(e) => format!("The platform refused the create ({e}). "),
    };
    let detail = match ids {
        [] => format!(
            "{why}An application named {name:?} already exists in organization {org}, but the \
             application list does not show it, so its id is not known here (the list can answer \
             empty for a Connected App that may not view client applications). The provider \
             never adopts an existing application on its own. Find the application's id in \
             Anypoint Platform. {}:\n\n{}\nOr choose another name.",
            import_intro("it"),
            import_advice(org, "<application_id>"),
        ),
        [one] => format!(
            "{why}An application named {name:?} already exists in organization {org}: id {one}. \
             The provider never adopts an existing application on its own. {}:\n\n{}\nOr \
             choose another name (or delete the existing application).",
            import_intro("that application"),
            import_advice(org, &one.to_string()),
        ),
        many => {
            let list: Vec<String> = many.iter().map(i64::to_string).collect();
            let advice: Vec<String> = many
                .iter()
                .map(|id| import_advice(org, &id.to_string()))
                .collect();
            format!(
                "{why}Applications named {name:?} already exist in organization {org}: ids {}. \
                 The provider never adopts an existing application on its own. {} (only one of \
                 them):\n\n{}\nOr choose another name.",
                list.join(", "),
                import_intro("one of them"),
                advice.join("\n"),
            )
        }
    };
    diags.attr_error(attrs::name(), summary, detail);
}

/// A create that may have happened, where nothing could be recorded: the
/// error, then what to check and how to import the application if it
/// exists (`candidates`: applications with the name it may have made).
pub fn maybe_created(
    diags: &mut Diagnostics,
    doing: &str,
    err: &ApiError,
    org: &str,
    name: &str,
    candidates: &[i64],
) {
    let advice = match candidates {
        [] => format!(
            "The create may have made the application even so, and it cannot be found now. \
             Check in Anypoint Platform whether an application named {name:?} exists in \
             organization {org}. If it does, this failed create made it. {}:\n\n{}\nIf it does \
             not, apply again.",
            import_intro("it"),
            import_advice(org, "<application_id>"),
        ),
        ids => {
            let list: Vec<String> = ids.iter().map(i64::to_string).collect();
            let advice: Vec<String> = ids
                .iter()
                .map(|id| import_advice(org, &id.to_string()))
                .collect();
            format!(
                "Applications named {name:?} exist in organization {org} (ids {}), and this \
                 failed create may have made one of them; the provider does not adopt one it \
                 cannot tell is its own. {} (only one of them):\n\n{}",
                list.join(", "),
                import_intro("the one it made"),
                advice.join("\n"),
            )
        }
    };
    diags.error(format!("Error {doing}"), format!("{err}\n\n{advice}"));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn import_advice_is_a_block_and_a_command() {
        let text = import_advice("org", "42");
        let squeezed = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            squeezed.contains("import { to = anypoint_client_application.<name> id = \"org/42\" }"),
            "{text}"
        );
        assert!(
            squeezed.contains("terraform import anypoint_client_application.<name> org/42"),
            "{text}"
        );
        // Indented, so that Terraform does not wrap the lines.
        assert!(text
            .lines()
            .filter(|l| !l.is_empty())
            .all(|l| l.starts_with(' ') || l == "or run:"));
    }

    #[test]
    fn a_taken_name_names_every_holder_and_the_name_attribute() {
        let mut d = Diagnostics::new();
        name_taken(&mut d, "org", "app", &[7, 8], None);
        assert!(d.has_errors());
        let text = format!("{d:?}");
        for needle in ["org/7", "org/8", "ids 7, 8", "was not sent"] {
            assert!(text.contains(needle), "{needle}: {text}");
        }
    }
}
