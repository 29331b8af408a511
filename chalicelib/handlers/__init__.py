"""Thin entry glue, one module per kind of event: build nothing, ask the composition root for
what a use case needs, call it, shape the answer for Chalice or Lambda."""
