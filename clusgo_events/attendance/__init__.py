"""Attendance: trainers' rosters, check-in, exports, summary and certificates."""
