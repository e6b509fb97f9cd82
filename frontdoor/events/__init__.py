"""Outgoing events: the database triggers that write them (`triggers`). What they carry and
how they are signed is core.events; their rows are store.events'; the job posting them is
jobs.events."""
