"""Each network's own way to connect an account: authorization URL, code exchange, refresh."""
