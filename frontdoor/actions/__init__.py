"""A referent's actions on a request, whoever asks for them (the console, the JSON API).

Each action is a keyword-only async function taking the `Actor` and the session: it opens the
request through `open_request` (the department check and the audit row, in one place), asks
the core what the action changes or why it is refused, and writes it through the store. The
console's and the API's handlers only parse, call one action, and render or answer JSON.
"""
