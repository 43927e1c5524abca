"""Render: templates, tables, numbering, charts and Vietnamese conventions."""
