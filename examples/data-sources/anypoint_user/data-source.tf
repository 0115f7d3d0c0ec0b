# A user picked by email (compared without regard to case) or by exact username.
data "anypoint_user" "alice" {
  email = "alice@example.com"
}

resource "anypoint_client_application" "orders" {
  name = "orders-service"
}

# The user owns the application, without a UUID copied from the web console.
resource "anypoint_client_application_owner" "alice" {
  application_id = anypoint_client_application.orders.id
  user_id        = data.anypoint_user.alice.id
}
