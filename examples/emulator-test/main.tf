# A small module of the kind a team writes around the provider: one client
# application with extra owners. `client_application.tftest.hcl` next to it
# tests it with `terraform test` against the Anypoint emulator; see
# docs/guides/emulator.md for how to run it.
terraform {
  required_providers {
    anypoint = {
      source = "anypoint-platform/anypoint"
    }
  }
}

# Settings come from the environment: ANYPOINT_BASE_URL (the emulator's URL),
# ANYPOINT_CLIENT_ID and ANYPOINT_CLIENT_SECRET.
provider "anypoint" {}

variable "name" {
  type        = string
  description = "The client application's name."
}

variable "description" {
  type        = string
  description = "What the application is for."
  default     = null
}

variable "owner_ids" {
  type        = set(string)
  description = "User ids of owners besides the Connected App's own user."
  default     = []
}

resource "anypoint_client_application" "this" {
  name        = var.name
  description = var.description
  grant_types = ["client_credentials"]
}

resource "anypoint_client_application_owner" "extra" {
  for_each = var.owner_ids

  application_id = anypoint_client_application.this.id
  user_id        = each.value
}

output "application_id" {
  value = anypoint_client_application.this.id
}

output "client_id" {
  value = anypoint_client_application.this.client_id
}

output "owner_usernames" {
  value = sort([for o in anypoint_client_application_owner.extra : o.username])
}
