data "anypoint_api_instance" "orders" {
  api_instance_id = "40001"
  environment_id  = "e4f5a6b7-c8d9-4e0f-9a1b-2c3d4e5f6a7b"
}

# Pick an SLA tier by name, e.g. for an anypoint_client_application_contract.
locals {
  gold_tier_id = one([
    for tier in data.anypoint_api_instance.orders.tiers : tier.id if tier.name == "Gold"
  ])
}

output "orders_asset" {
  value = "${data.anypoint_api_instance.orders.asset_group_id}/${data.anypoint_api_instance.orders.asset_id}/${data.anypoint_api_instance.orders.asset_version}"
}

output "gold_tier_id" {
  value = local.gold_tier_id
}
