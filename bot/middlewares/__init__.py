"""Dispatcher middlewares: what every update passes through before it reaches a handler."""
