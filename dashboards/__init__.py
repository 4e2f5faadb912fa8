"""Bureau dashboards and public statistics: read-only views over every domain."""
