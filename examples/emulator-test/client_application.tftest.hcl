# `terraform test` for the module in main.tf, run against the Anypoint
# emulator. Each run block applies (or only plans) the module with its
# variables; the state carries over from one run to the next, and
# everything is destroyed at the end.

variables {
  name        = "tftest-orders-client"
  description = "Created by terraform test"
  # alice, one of the emulator's seeded users.
  owner_ids = ["5eed0000-0000-4000-8000-000000000001"]
}

# A plan only: check what the module would do, without creating anything.
run "plan_shows_the_inputs" {
  command = plan

  assert {
    condition     = anypoint_client_application.this.name == "tftest-orders-client"
    error_message = "The application takes its name from var.name."
  }

  assert {
    condition     = length(anypoint_client_application_owner.extra) == 1
    error_message = "One owner resource per entry of var.owner_ids."
  }
}

# Apply, then check outputs and attributes the platform filled in.
run "create" {
  assert {
    condition     = can(regex("^[0-9]+$", output.application_id))
    error_message = "The application id is all digits."
  }

  assert {
    condition     = output.client_id != ""
    error_message = "The platform assigned a client id."
  }

  assert {
    condition     = output.owner_usernames == tolist(["alice"])
    error_message = "alice is an owner."
  }

  assert {
    condition     = anypoint_client_application.this.description == "Created by terraform test"
    error_message = "The description was stored as given."
  }
}

# Add an owner: the application is updated in place, not replaced.
run "add_an_owner" {
  variables {
    owner_ids = [
      "5eed0000-0000-4000-8000-000000000001", # alice
      "5eed0000-0000-4000-8000-000000000002", # bob
    ]
  }

  assert {
    condition     = output.owner_usernames == tolist(["alice", "bob"])
    error_message = "alice and bob are owners."
  }

  assert {
    condition     = output.application_id == run.create.application_id
    error_message = "Adding an owner keeps the same application."
  }
}

# A plan after changes: a new description is an in-place update.
run "plan_a_new_description" {
  command = plan

  variables {
    description = "Changed by terraform test"
    owner_ids = [
      "5eed0000-0000-4000-8000-000000000001",
      "5eed0000-0000-4000-8000-000000000002",
    ]
  }

  assert {
    condition     = anypoint_client_application.this.description == "Changed by terraform test"
    error_message = "The plan carries the new description."
  }

  assert {
    condition     = anypoint_client_application.this.client_id == run.create.client_id
    error_message = "An in-place update keeps the client id."
  }
}
