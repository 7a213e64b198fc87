"""Version of the Python bindings; its major number must match libbimt's."""
__version__ = "0.1.0"
