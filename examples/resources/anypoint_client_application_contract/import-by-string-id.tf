import {
  to = anypoint_client_application_contract.orders
  id = "0f8b9e2a-1c3d-4e5f-8a7b-6c5d4e3f2a1b/100001/700001"
}
