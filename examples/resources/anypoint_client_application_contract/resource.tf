resource "anypoint_client_application" "orders_portal" {
  name = "orders-portal"
}

# Access to the Orders API instance on its Gold tier. A tier that needs
# approval leaves the contract PENDING until an API administrator approves it.
resource "anypoint_client_application_contract" "orders" {
  application_id    = anypoint_client_application.orders_portal.id
  api_instance_id   = "40001"
  environment_id    = "e4f5a6b7-c8d9-4e0f-9a1b-2c3d4e5f6a7b"
  requested_tier_id = "50002"
  accepted_terms    = true
}
