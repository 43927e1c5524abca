"""The built-in output formats, each a plugin implementing ``cchc_output_formats``."""
