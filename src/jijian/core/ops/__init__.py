"""Running the service: environment-driven settings helpers (env), middleware (security headers, the
session guard, rate limits for anonymous requests), health checks, locally served front-end packages,
backup and restore, and model rows read through hand-written SQL where the ORM cannot express it."""
