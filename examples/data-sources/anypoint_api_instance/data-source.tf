# An API instance named by its id.
data "anypoint_api_instance" "orders" {
  api_instance_id = "40001"
  environment_id  = "e4f5a6b7-c8d9-4e0f-9a1b-2c3d4e5f6a7b"
}

data "anypoint_environment" "sandbox" {
  name = "Sandbox"
}

# The same instance found by its Exchange asset instead: exactly one
# instance of the asset must be in the environment (instance_label,
# asset_version or asset_group_id narrow the search when there are several).
data "anypoint_api_instance" "orders_by_asset" {
  environment_id = data.anypoint_environment.sandbox.id
  asset_id       = "orders-api"
  instance_label = "orders-api-v1"
}

# Pick an SLA tier by name, e.g. for an anypoint_client_application_contract:
# an ACTIVE one, as a deprecated tier may carry the same name.
locals {
  gold_tier_id = one([
    for t in data.anypoint_api_instance.orders_by_asset.tiers : t.id
    if t.name == "Gold" && t.status == "ACTIVE"
  ])
}

output "orders_instance_id" {
  value = data.anypoint_api_instance.orders_by_asset.api_instance_id
}

output "orders_asset" {
  value = "${data.anypoint_api_instance.orders.asset_group_id}/${data.anypoint_api_instance.orders.asset_id}/${data.anypoint_api_instance.orders.asset_version}"
}

output "gold_tier_id" {
  value = local.gold_tier_id
}
