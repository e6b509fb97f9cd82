"""Local stand-ins for the providers Frontdoor talks to: Twilio's REST API and an SMTP server.

The development mode (`./dev serve`) runs them beside the service and points its outbound side
at them, so that every SMS, call and mail of a demonstration answers and can be seen in the
console (frontdoor.standins.running); the tests use the same servers. Production never starts
them. This package imports nothing of the service but the outbound settings.
"""
