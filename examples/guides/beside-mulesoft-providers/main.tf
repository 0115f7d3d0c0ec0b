# This provider next to MuleSoft's community provider
# (mulesoft-anypoint/anypoint), whose types start with anypoint_ too.
# MuleSoft's provider makes an API instance and its Gold SLA tier; this one
# makes a client application and its contracts on that instance and on an
# instance managed elsewhere. The guide "Beside MuleSoft's providers" explains
# each part.
#
# Terraform gives a block without `provider =` to the provider whose local
# name is the type's prefix, `anypoint`: here this provider. Every block of
# MuleSoft's provider, data sources included, says `provider = mulesoft`.

terraform {
  required_providers {
    anypoint = {
      source = "anypoint-platform/anypoint"
    }
    mulesoft = {
      source  = "mulesoft-anypoint/anypoint"
      version = "~> 1.8"
    }
  }
}

variable "org_id" {
  description = "The root organization (a UUID)."
  type        = string
}

variable "payments_api_instance_id" {
  description = "An API instance in the Sandbox environment that another team manages (digits)."
  type        = string
}

variable "mulesoft_client_id" {
  description = "The Connected App MuleSoft's provider signs in with."
  type        = string
}

variable "mulesoft_client_secret" {
  type      = string
  sensitive = true
}

# This provider: ANYPOINT_CLIENT_ID and ANYPOINT_CLIENT_SECRET from the
# environment. MuleSoft's providers read the same two variables, so a second
# Connected App is set in its own block, from variables of its own.
provider "anypoint" {}

provider "mulesoft" {
  client_id     = var.mulesoft_client_id
  client_secret = var.mulesoft_client_secret
}

# This provider's data source: the Sandbox environment's id.
data "anypoint_environment" "sandbox" {
  name = "Sandbox"
}

resource "anypoint_apim_mule4" "orders" {
  provider = mulesoft

  org_id         = var.org_id
  env_id         = data.anypoint_environment.sandbox.id
  asset_group_id = var.org_id
  asset_id       = "orders-api"
  asset_version  = "1.0.0"
  instance_label = "orders"
}

resource "anypoint_api_instance_sla_tier" "gold" {
  provider = mulesoft

  org_id       = var.org_id
  env_id       = data.anypoint_environment.sandbox.id
  api_id       = anypoint_apim_mule4.orders.id
  name         = "Gold"
  auto_approve = true
  status       = "ACTIVE"

  limits {
    visible                     = true
    time_period_in_milliseconds = 60000
    maximum_requests            = 1000
  }
}

# A data source of MuleSoft's provider needs `provider =` as well.
data "anypoint_apim_instance" "payments" {
  provider = mulesoft

  id     = var.payments_api_instance_id
  org_id = var.org_id
  env_id = data.anypoint_environment.sandbox.id
}

resource "anypoint_client_application" "portal" {
  name = "orders-portal"
}

# MuleSoft's provider hands over the instance id (a string of digits) and the
# tier id (a number: tostring makes it the string this provider takes).
resource "anypoint_client_application_contract" "orders" {
  application_id    = anypoint_client_application.portal.id
  api_instance_id   = anypoint_apim_mule4.orders.id
  environment_id    = data.anypoint_environment.sandbox.id
  requested_tier_id = tostring(anypoint_api_instance_sla_tier.gold.tier_id)
}

resource "anypoint_client_application_contract" "payments" {
  application_id  = anypoint_client_application.portal.id
  api_instance_id = data.anypoint_apim_instance.payments.id
  environment_id  = data.anypoint_apim_instance.payments.env_id
}
