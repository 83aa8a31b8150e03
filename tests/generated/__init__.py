"""End-to-end tests of the generated ``chat_client`` package (local HTTP server and Prism)."""
