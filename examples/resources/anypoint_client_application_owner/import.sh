# <org_id>/<application_id>/<user_id>
terraform import anypoint_client_application_owner.alice 0f8b9e2a-1c3d-4e5f-8a7b-6c5d4e3f2a1b/1234/5a6b7c8d-1111-4222-8333-444455556666
