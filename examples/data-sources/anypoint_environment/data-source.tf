# The environment that holds an API instance, by name.
data "anypoint_environment" "sandbox" {
  name = "Sandbox"
}

data "anypoint_api_instance" "orders" {
  api_instance_id = "40001"
  environment_id  = data.anypoint_environment.sandbox.id
}

output "sandbox_is_production" {
  value = data.anypoint_environment.sandbox.is_production
}
