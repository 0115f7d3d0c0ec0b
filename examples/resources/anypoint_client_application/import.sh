# A client application in a given organization: <org_id>/<application_id>
terraform import anypoint_client_application.orders_portal 0f8b9e2a-1c3d-4e5f-8a7b-6c5d4e3f2a1b/1234

# A client application in the provider's organization: <application_id>
terraform import anypoint_client_application.orders_portal 1234
