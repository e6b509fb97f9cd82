"""Local stand-ins for the providers Frontdoor talks to: Twilio's REST API and an SMTP server."""
