# The quickstart: a client application with a second owner, read back
# through a data source. scripts/quickstart.sh runs it against the built-in
# emulator; point the provider at a real control plane to use it for real.
terraform {
  required_providers {
    anypoint = {
      source  = "anypoint-platform/anypoint"
      version = "~> 0.1"
    }
  }
}

# Settings come from the environment: ANYPOINT_BASE_URL, ANYPOINT_CLIENT_ID,
# ANYPOINT_CLIENT_SECRET (the quickstart script sets them for the emulator).
provider "anypoint" {}

resource "anypoint_client_application" "demo" {
  name          = "quickstart-demo"
  description   = "Created by the terraform-provider-anypoint quickstart"
  url           = "https://demo.example.com"
  redirect_uris = ["https://demo.example.com/callback"]
  grant_types   = ["authorization_code", "refresh_token"]

  secret_rotation_triggers = {
    rotation = "1"
  }
}

# alice, one of the emulator's seeded users.
resource "anypoint_client_application_owner" "alice" {
  application_id = anypoint_client_application.demo.id
  user_id        = "5eed0000-0000-4000-8000-000000000001"
}

data "anypoint_client_applications" "all" {
  depends_on = [anypoint_client_application.demo]
}

output "client_id" {
  value = anypoint_client_application.demo.client_id
}

output "owner" {
  value = anypoint_client_application_owner.alice.username
}

output "application_names" {
  value = [for a in data.anypoint_client_applications.all.applications : a.name]
}
