resource "anypoint_client_application" "orders_portal" {
  name = "orders-portal"
}

# One resource per owner; the Connected App's own user is already an owner.
resource "anypoint_client_application_owner" "alice" {
  application_id = anypoint_client_application.orders_portal.id
  user_id        = "5a6b7c8d-1111-4222-8333-444455556666"
}
