"""Correcting survey respondents: a respondent's page, edit, delete, merge (organisers)."""
