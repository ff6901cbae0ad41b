"""vlmreader's widgets: each posts messages up and never writes to the library."""

from vlmreader.tui.widgets.detail_pane import DetailPane
from vlmreader.tui.widgets.footer import KeyFooter
from vlmreader.tui.widgets.job_bar import JobBar
from vlmreader.tui.widgets.paper_list import PaperList
from vlmreader.tui.widgets.search_bar import SearchBar

__all__ = ["DetailPane", "JobBar", "KeyFooter", "PaperList", "SearchBar"]
