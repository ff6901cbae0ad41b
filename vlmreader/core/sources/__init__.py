"""Metadata sources: arXiv (arxiv.py), Crossref (crossref.py), and more to come, over one HTTP
layer (http.py). Each turns a service's documented answer into `Work`s (works.py) with a pure
function tested on saved answers; only the HTTP layer talks to the network. Nothing in the core
but `importing.py` reaches this package."""
