"""Version of the Python bindings; its ABI part (MAJOR.MINOR while MAJOR is 0, else MAJOR)
must match libbimt's."""
__version__ = "0.3.0"
