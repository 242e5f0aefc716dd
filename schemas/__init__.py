"""The table contracts (one TOML file per table), shipped with the package as `flows.schemas`."""
