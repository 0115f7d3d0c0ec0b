terraform {
  required_providers {
    anypoint = {
      source = "anypoint-platform/anypoint"
    }
  }
}

# Credentials of a Connected App that acts on its own behalf (client
# credentials grant) and has the Application Creator scope, from the
# ANYPOINT_CLIENT_ID and ANYPOINT_CLIENT_SECRET environment variables rather
# than the configuration. The US control plane is the default; a Connected
# App made on another one names it (eu, gov, ca or jp). The organization is
# the Connected App's root organization unless org_id says otherwise.
provider "anypoint" {
  # control_plane = "eu"
}
