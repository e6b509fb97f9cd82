"""What every channel's handlers share: bodies read within bounds, date parameters, rate
limits, the API's callers, and the Twilio webhooks' accounts, signatures and ownership."""
