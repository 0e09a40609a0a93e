"""Crawling and extraction: spiders, pure (html, url) -> record extraction, record types."""
