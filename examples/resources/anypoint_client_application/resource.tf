resource "anypoint_client_application" "orders_portal" {
  name        = "orders-portal"
  description = "Customer portal that calls the Orders API"
  url         = "https://portal.example.com"

  redirect_uris = [
    "https://portal.example.com/oauth/callback",
  ]
  grant_types = ["authorization_code", "refresh_token"]

  # Change any value to reset the client secret in place.
  secret_rotation_triggers = {
    rotated = "2026-11"
  }
}

output "orders_portal_client_id" {
  value = anypoint_client_application.orders_portal.client_id
}
