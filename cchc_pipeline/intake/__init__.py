"""Intake: reading what departments send (text, figures, narratives, nominations)."""
