"""Search: the query language (query.py), the inverted index and its cache file (index.py), the
engine that ranks a library's papers for a query (engine.py), and the possible duplicates among
them (duplicates.py)."""

from vlmreader.core.search.engine import Hit, SearchEngine, SearchIndex, SearchResult
from vlmreader.core.search.query import Query, parse_query

__all__ = ["Hit", "Query", "SearchEngine", "SearchIndex", "SearchResult", "parse_query"]
