"""The JSON API used by the judges' tablet page (session authentication, CSRF header)."""
