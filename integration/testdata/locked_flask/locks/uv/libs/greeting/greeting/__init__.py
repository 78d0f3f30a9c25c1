"""The workspace member's words, shown on the app's page."""

WORDS = "Greetings from the workspace member"
