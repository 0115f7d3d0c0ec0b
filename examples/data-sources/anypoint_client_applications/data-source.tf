data "anypoint_client_applications" "portals" {
  name_filter = "portal"
}

output "portal_names" {
  value = [for app in data.anypoint_client_applications.portals.applications : app.name]
}
