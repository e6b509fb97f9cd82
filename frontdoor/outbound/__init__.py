"""The outbound side: SMS, calls and recording deletions through Twilio, mail through SMTP."""
