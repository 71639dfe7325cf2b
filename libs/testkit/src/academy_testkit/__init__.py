"""Development and test helpers shared by every test folder; no service depends on it."""
