"""The secure mailbox (MSSanté): IMAP intake, parsing, acknowledgements."""
