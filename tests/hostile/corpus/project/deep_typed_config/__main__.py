"""Never runs: the typed configuration is refused first."""
