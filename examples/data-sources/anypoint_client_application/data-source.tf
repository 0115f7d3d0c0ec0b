data "anypoint_client_application" "billing" {
  name = "billing-service"
}

output "billing_client_id" {
  value = data.anypoint_client_application.billing.client_id
}
