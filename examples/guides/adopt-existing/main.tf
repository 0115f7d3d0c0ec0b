# Adopt every client application the platform lists into Terraform, with one
# import block (for_each in import blocks needs Terraform 1.7 or later).
#
# Run `terraform plan` to see the imports (no changes to the applications),
# then `terraform apply`. The Connected App must be allowed to manage each
# application: one it did not create needs an administrator's grant first.

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
  existing = {
    for app in data.anypoint_client_applications.existing.applications : app.id => app
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
    # Connected App loses a scope); without this, an application missing
    # from it would be planned for deletion.
    prevent_destroy = true
  }
}

output "adopted" {
  value = { for id, app in anypoint_client_application.adopted : id => app.name }
}
