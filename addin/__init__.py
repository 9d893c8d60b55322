"""Excel add-in tooling for claimcheck (VBA project generation)."""
