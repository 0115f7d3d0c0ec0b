# Access to an API group instance (several APIs offered as one Exchange asset)
# on its Starter tier: the same resource, naming api_group_instance_id instead
# of api_instance_id. Reading the group instance, and ending the contract on
# destroy, need API Manager's "API Group Administrator" permission.
resource "anypoint_client_application_contract" "commerce" {
  application_id        = anypoint_client_application.orders_portal.id
  api_group_instance_id = "62001"
  environment_id        = "e4f5a6b7-c8d9-4e0f-9a1b-2c3d4e5f6a7b"
  requested_tier_id     = "49001"
}
