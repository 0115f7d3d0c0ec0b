# The credentials of an existing client application, read at every plan and
# apply and never written into the plan or the state (Terraform 1.10+).
ephemeral "anypoint_client_application_credentials" "billing" {
  application_id = "1234"
}

# Ephemeral values may go where Terraform keeps nothing: provider blocks,
# write-only arguments (Terraform 1.11+), provisioners, and locals that feed
# them. For example, an HTTP Basic credential for another provider's block:
locals {
  billing_basic_auth = base64encode(join(":", [
    ephemeral.anypoint_client_application_credentials.billing.client_id,
    ephemeral.anypoint_client_application_credentials.billing.client_secret,
  ]))
}
