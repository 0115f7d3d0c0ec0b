# Adopt the client applications the platform lists into Terraform, with one
# import block (for_each in import blocks needs Terraform 1.7 or later).
#
# Run `terraform plan` to see the imports (no changes to the applications),
# then `terraform apply`. The Connected App must be allowed to manage each
# application: one it did not create needs an administrator's grant first.
#
# An application holding a value that anypoint_client_application refuses
# (a name with a trailing space, a redirect URI with a fragment, grant types
# it does not accept, ...) cannot be managed as the platform holds it: it is
# left out of the import and listed, with the reasons, in the output
# `not_adopted` and in a warning. Fix it in the platform and run again.

terraform {
  required_version = ">= 1.7"
  required_providers {
    anypoint = {
      source = "anypoint-platform/anypoint"
    }
  }
}

provider "anypoint" {
  # ANYPOINT_CLIENT_ID, ANYPOINT_CLIENT_SECRET and ANYPOINT_CONTROL_PLANE (or
  # ANYPOINT_BASE_URL) from the environment.
}

data "anypoint_client_applications" "existing" {}

locals {
  # Keyed by application id: stable, and unique even if two names are not.
  listed = {
    for app in data.anypoint_client_applications.existing.applications : app.id => app
  }
  # What the resource accepts as the platform holds it (`manageable` is
  # decided by the resource's own validation).
  existing = { for id, app in local.listed : id => app if app.manageable }
  # The others, and why.
  not_adopted = {
    for id, app in local.listed : id => {
      name     = app.name
      problems = app.problems
    } if !app.manageable
  }
}

import {
  for_each = local.existing
  to       = anypoint_client_application.adopted[each.key]
  id       = "${data.anypoint_client_applications.existing.org_id}/${each.key}"
}

# Each argument takes what the platform holds, so the plan after the import
# is empty. Once adopted, replace these references with literal values (or
# keep them, knowing that a change made in the platform becomes the
# configuration instead of drift).
resource "anypoint_client_application" "adopted" {
  for_each = local.existing

  name          = each.value.name
  description   = each.value.description
  url           = each.value.url
  redirect_uris = each.value.redirect_uris
  grant_types   = each.value.grant_types

  lifecycle {
    # The list may show fewer applications than exist (for example when the
    # Connected App loses a scope), and an adopted application may stop being
    # manageable (edited in the platform); without this, an application
    # missing from local.existing would be planned for deletion.
    prevent_destroy = true
  }
}

# A warning on every plan and apply while some listed application is left out.
check "every_listed_application_adopted" {
  assert {
    condition = length(local.not_adopted) == 0
    error_message = join("\n", concat(
      ["These applications are not adopted: anypoint_client_application cannot manage them as the platform holds them. Fix them in the platform, then run again."],
      [for id, app in local.not_adopted : "- ${app.name} (${id}): ${join(" ", app.problems)}"],
    ))
  }
}

output "adopted" {
  value = { for id, app in anypoint_client_application.adopted : id => app.name }
}

output "not_adopted" {
  value = local.not_adopted
}
