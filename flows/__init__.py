"""newsdesk: news articles (plain text or HTML) into partitioned Parquet analytics tables."""

__version__ = "0.1.0"
