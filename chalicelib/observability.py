"""Structured logs: in Lambda every `freigabe.*` and `chalicelib.*` logger writes JSON
through the Powertools Logger (with the request id of the invocation); locally they stay
plain lines for the terminal. Set up on the first invocation, never at import."""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import Any

OUR_LOGGERS = ("freigabe", "chalicelib")


@lru_cache(maxsize=1)
def setup() -> Any:
    """Returns the Powertools Logger in Lambda, else None."""
    from chalicelib.settings import get_settings

    for name in OUR_LOGGERS:
        logging.getLogger(name).setLevel(logging.INFO)
    if not get_settings().in_lambda:
        return None
    from aws_lambda_powertools import Logger
    from aws_lambda_powertools.logging.utils import copy_config_to_registered_loggers

    logger = Logger(service="freigabe")
    copy_config_to_registered_loggers(source_logger=logger, include=set(OUR_LOGGERS))
    return logger


def bind(context: Any) -> None:
    """Attach the Lambda request id to every log line of this invocation."""
    logger = setup()
    if logger is not None and context is not None:
        logger.append_keys(request_id=getattr(context, "aws_request_id", None),
                           function=getattr(context, "function_name", None))
