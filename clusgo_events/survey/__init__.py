"""Survey import and the respondents list (organisers only)."""
