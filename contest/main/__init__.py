"""Public pages, the home dispatcher, language switch and health check."""
