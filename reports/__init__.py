"""Reports over the crawled records: the content audit and the SEO report."""
