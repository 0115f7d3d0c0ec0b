terraform {
  required_providers {
    anypoint = {
      source = "anypoint-platform/anypoint"
    }
  }
}

# Credentials of a Connected App that acts on its own behalf (client
# credentials grant) and has the Application Creator scope. Prefer the
# ANYPOINT_CLIENT_ID and ANYPOINT_CLIENT_SECRET environment variables to
# keeping the secret in configuration.
provider "anypoint" {
  control_plane = "eu"
  org_id        = "0f8b9e2a-1c3d-4e5f-8a7b-6c5d4e3f2a1b"
}
