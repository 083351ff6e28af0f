"""The seed: published facts, an optional synthetic portfolio, and demo logins."""
