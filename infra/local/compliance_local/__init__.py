"""The embedded local stack: moto's server in-process, the real handlers, and an HTTP gateway."""
