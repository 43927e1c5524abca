"""Workflow: the tools around a build (forms, findings files, scaffolding, preview)."""
