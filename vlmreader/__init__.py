"""vlmreader: a keyboard-driven terminal reading-list manager for VLM research papers."""

__version__ = "0.1.0"
