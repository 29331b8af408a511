"""The offline verifier of Freigabe's evidence files (README, "Proving what was approved").
Standard library only: `python -m freigabe_verify evidence.json [--public-key key.pem]`."""
