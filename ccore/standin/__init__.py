"""A FreeSWITCH 1.10 stand-in that speaks real ESL, for tests and the demo."""
