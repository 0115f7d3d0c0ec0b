data "anypoint_client_application_contracts" "billing" {
  application_id = "1234"
}

# The API instances the application may call now.
output "approved_api_instances" {
  value = [
    for c in data.anypoint_client_application_contracts.billing.contracts :
    c.api_instance_id if c.status == "APPROVED"
  ]
}
