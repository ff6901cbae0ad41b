"""The Textual app. Everything that imports textual lives under this package."""
