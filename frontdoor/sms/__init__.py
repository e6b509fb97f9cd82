"""The SMS channel: Twilio's messaging webhook and the referents' answers."""
