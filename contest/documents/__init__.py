"""Published documents: award lists as PDF and Excel, certificates, and their verification."""
