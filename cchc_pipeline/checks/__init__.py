"""Checks: the rules and targets a department's figures are held to."""
