"""What every feature stands on and no feature is imported by: configuration, extensions,
security, language, the request boundary and the audit log."""
