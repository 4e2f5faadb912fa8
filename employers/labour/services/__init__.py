"""Labour-rights services: records (writes with audit), findings, register, reminders, views."""
