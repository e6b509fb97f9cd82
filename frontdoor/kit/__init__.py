"""What every channel's handlers share: bodies read within bounds, date parameters, rate
limits, the API's callers, the Twilio webhooks' accounts, signatures and ownership, and the
runtime given to the jobs and to the handlers that share their work (runtime.JobRuntime)."""
